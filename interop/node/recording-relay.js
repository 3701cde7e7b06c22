#!/usr/bin/env node
// A RECORDING relay for tests that play the attacker: it speaks the relay protocol of
// docs/PROTOCOL.md (part 1) over TLS with the project's certificate, routes frames like the real
// relay, and writes one JSON line per frame it forwards to --record FILE: what a relay operator
// could see and log. It verifies no registration proof (an attacker would not bother) and is
// never used in place of the real relay, only to show what the real relay could learn.
//
//   node recording-relay.js --port 9443 --pfx certs/generated/relay.p12 \
//        --passfile certs/generated/relay.pass --record frames.jsonl
//
// It prints "listening <port>" when ready.
'use strict';

const fs = require('fs');
const https = require('https');
const crypto = require('crypto');
const { WebSocketServer } = require('ws');

function arg(name) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const port = Number(arg('--port'));
const record = fs.openSync(arg('--record'), 'a');
const server = https.createServer({
  pfx: fs.readFileSync(arg('--pfx')),
  passphrase: fs.readFileSync(arg('--passfile'), 'utf8').trim(),
});
const wss = new WebSocketServer({ server, path: '/relay', maxPayload: 65554 });
const routes = new Map();

wss.on('connection', (ws) => {
  let id = null;
  ws.send(Buffer.concat([Buffer.from([0x01, 0x80]), crypto.randomBytes(32)]));
  ws.on('message', (data, isBinary) => {
    if (!isBinary || data.length < 2 || data[0] !== 0x01) {
      ws.close(1002, 'bad frame');
      return;
    }
    if (data[1] === 0x01 && data.length === 131) {
      const pub = data.subarray(2, 67);
      id = crypto.createHash('sha256').update(pub).digest().subarray(0, 16).toString('hex');
      routes.set(id, ws);
      ws.send(Buffer.concat([Buffer.from([0x01, 0x81]), Buffer.from(id, 'hex')]));
    } else if (data[1] === 0x02 && data.length >= 18 && id) {
      const to = data.subarray(2, 18).toString('hex');
      const payload = data.subarray(18);
      fs.writeSync(record, JSON.stringify({
        from: id, to, binary: isBinary, length: payload.length,
        head: payload.subarray(0, 14).toString('hex'),
        sha256: crypto.createHash('sha256').update(payload).digest().subarray(0, 8).toString('hex'),
      }) + '\n');
      const target = routes.get(to);
      if (target) {
        target.send(Buffer.concat([Buffer.from([0x01, 0x82]), Buffer.from(id, 'hex'), payload]));
      } else {
        const reason = Buffer.from('peer not connected');
        ws.send(Buffer.concat([Buffer.from([0x01, 0x83, 0x00, 0x01]), Buffer.from(to, 'hex'), reason]));
      }
    }
  });
  ws.on('close', () => {
    if (id && routes.get(id) === ws) {
      routes.delete(id);
    }
  });
});

server.listen(port, '127.0.0.1', () => console.log('listening ' + port));
