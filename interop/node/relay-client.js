#!/usr/bin/env node
// An independent relay client, written from docs/PROTOCOL.md (part 1) alone, on the npm `ws`
// package. It is driven line by line, so a test in any language can use it:
//
//   node relay-client.js --url wss://localhost:8765/relay --ca certs/generated/ca.pem
//
// stdout (one event a line):   registered <id-hex>
//                              deliver <from-id-hex> <payload-hex>
//                              error <code> <subject-id-hex> <reason>
//                              closed <close-code> <reason>
// stdin (one command a line):  send <to-id-hex> <payload-hex>
//                              close
'use strict';

const fs = require('fs');
const crypto = require('crypto');
const readline = require('readline');
const WebSocket = require('ws');

const VERSION = 0x01;
const T_REGISTER = 0x01, T_SEND = 0x02, T_REGISTERED = 0x81, T_DELIVER = 0x82, T_ERROR = 0x83;
const ID_LEN = 16;

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

const url = arg('--url', 'wss://localhost:8765/relay');
const caFile = arg('--ca');
if (!caFile) {
  console.error('usage: relay-client.js --url wss://host:port/relay --ca ca.pem');
  process.exit(2);
}

const sessionId = crypto.randomBytes(ID_LEN);
const ws = new WebSocket(url, { ca: fs.readFileSync(caFile), minVersion: 'TLSv1.2' });
ws.binaryType = 'nodebuffer';
const out = (line) => process.stdout.write(line + '\n');

ws.on('open', () => {
  ws.send(Buffer.concat([Buffer.from([VERSION, T_REGISTER]), sessionId]));
});

ws.on('message', (data, isBinary) => {
  if (!isBinary || data.length < 2 || data[0] !== VERSION) {
    out('bad-frame ' + data.toString('hex'));
    return;
  }
  const type = data[1];
  if (type === T_REGISTERED && data.length === 2 + ID_LEN) {
    out('registered ' + data.subarray(2).toString('hex'));
    readCommands();
  } else if (type === T_DELIVER && data.length >= 2 + ID_LEN) {
    out('deliver ' + data.subarray(2, 2 + ID_LEN).toString('hex') + ' ' + data.subarray(2 + ID_LEN).toString('hex'));
  } else if (type === T_ERROR && data.length >= 4 + ID_LEN) {
    const code = data.readUInt16BE(2);
    const subject = data.subarray(4, 4 + ID_LEN).toString('hex');
    out('error ' + code + ' ' + subject + ' ' + data.subarray(4 + ID_LEN).toString('utf8'));
  } else {
    out('bad-frame ' + data.toString('hex'));
  }
});

ws.on('close', (code, reason) => {
  out('closed ' + code + ' ' + reason.toString());
  process.exit(0);
});

ws.on('error', (err) => {
  console.error('relay-client: ' + err.message);
  process.exit(1);
});

// Commands are read once the relay has confirmed the registration.
function readCommands() {
  readline.createInterface({ input: process.stdin }).on('line', (line) => {
    const [cmd, to, payloadHex] = line.trim().split(/\s+/);
    if (cmd === 'send' && /^[0-9a-f]{32}$/.test(to)) {
      const payload = Buffer.from(payloadHex || '', 'hex');
      ws.send(Buffer.concat([Buffer.from([VERSION, T_SEND]), Buffer.from(to, 'hex'), payload]));
    } else if (cmd === 'close') {
      ws.close(1000, 'done');
    } else if (cmd) {
      console.error('relay-client: unknown command: ' + line);
    }
  }).on('close', () => ws.close(1000, 'stdin closed'));
}
