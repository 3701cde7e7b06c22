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

const { usageOf, serverArgs, startServer } = require('./common');

const usage = usageOf('wss-echo', 'wss-echo.js --port N --pfx relay.p12 --passfile relay.pass [--host 127.0.0.1]');
const wss = startServer({ prog: 'wss-echo', ...serverArgs(usage), maxPayload: 65554, shutdownReason: 'going away' });

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
