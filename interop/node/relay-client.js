#!/usr/bin/env node
// An independent relay client, written from docs/PROTOCOL.md (part 1) alone, on the npm `ws`
// package and Node's own crypto (OpenSSL). It is driven line by line, so a test in any language
// can use it:
//
//   node relay-client.js --url wss://localhost:8765/relay --ca certs/generated/ca.pem
//
// It makes a fresh P-256 routing key, answers the relay's CHALLENGE with a signed REGISTER and
// checks that the session ID the relay confirms is the first 16 bytes of SHA-256 of its key.
//
// stdout (one event a line):   routing-key <public-key-hex>   (65 bytes, before registered)
//                              registered <id-hex>
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
const T_REGISTER = 0x01, T_SEND = 0x02, T_CHALLENGE = 0x80, T_REGISTERED = 0x81, T_DELIVER = 0x82, T_ERROR = 0x83;
const ID_LEN = 16, NONCE_LEN = 32;
const REGISTER_CONTEXT = Buffer.from('secure-relay/register/v1', 'ascii');

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

// The routing key: its public key, as an uncompressed SEC1 point 04||X||Y, names the session ID.
const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const jwk = publicKey.export({ format: 'jwk' });
const routingPublicKey = Buffer.concat([Buffer.from([0x04]),
  Buffer.from(jwk.x, 'base64url'), Buffer.from(jwk.y, 'base64url')]);
const sessionId = crypto.createHash('sha256').update(routingPublicKey).digest().subarray(0, ID_LEN);

// No Origin header: the relay refuses browser origins it does not know.
const ws = new WebSocket(url, { ca: fs.readFileSync(caFile), minVersion: 'TLSv1.2' });
ws.binaryType = 'nodebuffer';
const out = (line) => process.stdout.write(line + '\n');

// REGISTER = 01 01 routing_public_key[65] signature[64]; the signature is ECDSA P-256 SHA-256,
// raw r||s, over "secure-relay/register/v1" || nonce[32] || routing_public_key[65].
function register(nonce) {
  const signature = crypto.sign('sha256', Buffer.concat([REGISTER_CONTEXT, nonce, routingPublicKey]),
    { key: privateKey, dsaEncoding: 'ieee-p1363' });
  ws.send(Buffer.concat([Buffer.from([VERSION, T_REGISTER]), routingPublicKey, signature]));
}

ws.on('message', (data, isBinary) => {
  if (!isBinary || data.length < 2 || data[0] !== VERSION) {
    out('bad-frame ' + data.toString('hex'));
    return;
  }
  const type = data[1];
  if (type === T_CHALLENGE && data.length === 2 + NONCE_LEN) {
    register(data.subarray(2));
  } else if (type === T_REGISTERED && data.length === 2 + ID_LEN) {
    if (!data.subarray(2).equals(sessionId)) {
      out('bad-id ' + data.subarray(2).toString('hex'));
      ws.close(1000, 'unexpected session ID');
      return;
    }
    out('routing-key ' + routingPublicKey.toString('hex'));
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
