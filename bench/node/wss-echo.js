#!/usr/bin/env node
// wss-echo.js: the FLOOR for the relay benchmarks. A TLS WebSocket server (same certificate, same
// `ws` settings as ws-relay.js: maxPayload 65,554, no permessage-deflate, AEAD suites, no Origin)
// that sends every binary message back unchanged on the same connection: no parsing, no routing,
// no copy. A text message closes the connection with 1003. Any path is accepted (/relay too).
//
// Run (from the repository root; `npm install` in bench/node first):
//   node bench/node/wss-echo.js --port 9444 --pfx certs/generated/relay.p12 \
//        --passfile certs/generated/relay.pass [--host 127.0.0.1]
// Endpoint: wss://localhost:9444/relay. Prints exactly "listening <port>" on stdout when ready
// (--port 0 picks a free port). SIGTERM or SIGINT: closes every connection (1001) and exits 0.
'use strict';

const fs = require('fs');
const https = require('https');
const { WebSocketServer } = require('ws');

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

function usage(message) {
  process.stderr.write('wss-echo: ' + message + '\nusage: wss-echo.js --port N --pfx relay.p12 '
    + '--passfile relay.pass [--host 127.0.0.1]\n');
  process.exit(2);
}

const port = Number(arg('--port', ''));
const host = arg('--host', '127.0.0.1');
const pfxFile = arg('--pfx');
const passFile = arg('--passfile');
if (!Number.isInteger(port) || port < 0 || port > 65535) usage('--port is required (0 to 65535)');
if (!pfxFile || !passFile) usage('--pfx and --passfile are required');

const server = https.createServer({
  pfx: fs.readFileSync(pfxFile),
  passphrase: fs.readFileSync(passFile, 'utf8').trim(),
  minVersion: 'TLSv1.2',
  ciphers: 'TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256:'
    + 'ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-GCM-SHA256:'
    + 'ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305',
});
server.on('request', (req, res) => {
  res.writeHead(426, { 'Content-Type': 'text/plain', Connection: 'close' });
  res.end('WebSocket only\n');
});

const wss = new WebSocketServer({
  server,
  maxPayload: 65554,
  perMessageDeflate: false,
  verifyClient: (info, done) => (info.req.headers.origin === undefined ? done(true) : done(false, 403)),
});

wss.on('connection', (ws) => {
  ws.on('message', (data, isBinary) => {
    if (isBinary) {
      ws.send(data); // the received buffer is ours: sent as is, no copy
    } else {
      ws.close(1003, 'binary only');
    }
  });
  ws.on('error', () => { /* `ws` closes the connection itself */ });
});

wss.on('error', (err) => {
  process.stderr.write('wss-echo: ' + err.message + '\n');
  process.exit(1);
});
server.on('tlsClientError', () => {});

server.listen(port, host, () => {
  process.stdout.write('listening ' + server.address().port + '\n');
});

let stopping = false;
function stop() {
  if (stopping) return;
  stopping = true;
  for (const client of wss.clients) client.close(1001, 'going away');
  server.close();
  wss.close();
  setTimeout(() => {
    for (const client of wss.clients) client.terminate();
    process.exit(0);
  }, 500).unref();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
