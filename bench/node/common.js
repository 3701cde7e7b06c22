// common.js: what the benchmark's Node programs share: command-line arguments, and the TLS
// WebSocket server of ws-relay.js and wss-echo.js (the project's certificate, AEAD suites only,
// no permessage-deflate, no browser Origin, "listening <port>" when ready, a clean stop on
// SIGTERM/SIGINT), so that the two baselines differ only in what they do with a frame.
'use strict';

const fs = require('fs');
const https = require('https');
const { WebSocketServer } = require('ws');

/** The value after `name` on the command line, or `fallback`. */
function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

/** A function that prints `message` and the usage line of program `prog`, then exits 2. */
function usageOf(prog, usageLine) {
  return (message) => {
    process.stderr.write(prog + ': ' + message + '\nusage: ' + usageLine + '\n');
    process.exit(2);
  };
}

/** --port, --host, --pfx, --passfile of a server, checked. */
function serverArgs(usage) {
  const port = Number(arg('--port', ''));
  const host = arg('--host', '127.0.0.1');
  const pfxFile = arg('--pfx');
  const passFile = arg('--passfile');
  if (!Number.isInteger(port) || port < 0 || port > 65535) usage('--port is required (0 to 65535)');
  if (!pfxFile || !passFile) usage('--pfx and --passfile are required');
  return { port, host, pfxFile, passFile };
}

/**
 * Starts the TLS WebSocket server and returns its WebSocketServer; `path` limits the endpoint
 * (undefined: any path). Prints "listening <port>" once listening.
 */
function startServer({ prog, port, host, pfxFile, passFile, path, maxPayload, shutdownReason }) {
  const server = https.createServer({
    pfx: fs.readFileSync(pfxFile),
    passphrase: fs.readFileSync(passFile, 'utf8').trim(),
    minVersion: 'TLSv1.2',
    // AEAD suites only (TLS 1.3 suites are all AEAD).
    ciphers: 'TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256:'
      + 'ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-GCM-SHA256:'
      + 'ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305',
  });
  // Plain HTTPS requests (no Upgrade): nothing here.
  server.on('request', (req, res) => {
    res.writeHead(426, { 'Content-Type': 'text/plain', Connection: 'close' });
    res.end('WebSocket only\n');
  });
  const wss = new WebSocketServer({
    server,
    path,
    maxPayload,
    perMessageDeflate: false,
    clientTracking: true,
    // Browsers always send Origin; the relay's allowlist is empty by default.
    verifyClient: (info, done) => (info.req.headers.origin === undefined ? done(true) : done(false, 403)),
  });
  wss.on('error', (err) => {
    process.stderr.write(prog + ': ' + err.message + '\n');
    process.exit(1);
  });
  // Failed handshakes: the client's problem, nothing to log per connection.
  server.on('tlsClientError', () => {});
  server.listen(port, host, () => {
    process.stdout.write('listening ' + server.address().port + '\n');
  });
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    for (const client of wss.clients) client.close(1001, shutdownReason);
    server.close();
    wss.close();
    // Give the close frames a moment, then go even if some peer does not answer.
    setTimeout(() => {
      for (const client of wss.clients) client.terminate();
      process.exit(0);
    }, 500).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  return wss;
}

module.exports = { arg, usageOf, serverArgs, startServer };
