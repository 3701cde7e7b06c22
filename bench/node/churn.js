#!/usr/bin/env node
// churn.js: a Node.js generator for the relay CHURN scenario (new connections per second), to
// check whether the Java generator is the bottleneck there too: its TLS client handshakes cost
// the generator about as much CPU as the server's. One process, one event loop.
//
// --chains C independent chains, each one connection after the other: TCP, a full TLS handshake
// (no session resumption: each connection has its own TLS session, checked and counted),
// WebSocket upgrade, and in relay mode the signed registration (CHALLENGE -> REGISTER with a
// fresh P-256 key per connection -> REGISTERED, docs/PROTOCOL.md part 1); then a clean close
// (1000) and, once the server's close arrived, the next connection. The connect time is from the
// start of the TCP connection to REGISTERED (relay) or the WebSocket open (echo).
//
// Run (from the repository root; `npm install` in bench/node first):
//   node bench/node/churn.js --url wss://localhost:9443/relay --ca certs/generated/ca.pem \
//        --mode relay|echo [--chains 8] [--warmup 3] [--seconds 5]
// stdout: ONE line of JSON at the end:
//   {"mode","chains","seconds","connections","perSecond","p50ms","p99ms","maxms","failures",
//    "resumed","firstFailure","cpuUserMs","cpuSystemMs"}
//   connections: connect times that started and ended within the measured time (after warmup);
//   failures: connections that failed in it; resumed: TLS sessions resumed (0 expected).
// stderr: one progress line a second. Exit 0: the JSON is printed; 2: bad arguments.
'use strict';

const fs = require('fs');
const crypto = require('crypto');
const tls = require('tls');
const WebSocket = require('ws');
const { arg, usageOf } = require('./common');

const usage = usageOf('churn', 'churn.js --url wss://localhost:PORT/relay --ca ca.pem --mode relay|echo '
  + '[--chains 8] [--warmup 3] [--seconds 5]');
const url = arg('--url');
const caFile = arg('--ca');
const mode = arg('--mode', 'relay');
const chains = Number(arg('--chains', '8'));
const warmupSeconds = Number(arg('--warmup', '3'));
const measureSeconds = Number(arg('--seconds', '5'));
if (!url || !caFile) usage('--url and --ca are required');
if (mode !== 'relay' && mode !== 'echo') usage('--mode is relay or echo');
if (!Number.isInteger(chains) || chains < 1) usage('--chains is a positive integer');
if (!(warmupSeconds >= 0)) usage('--warmup is seconds, 0 or more');
if (!(measureSeconds > 0)) usage('--seconds is a positive number of seconds');
// One TLS context for every connection: given `ca` instead, Node parses the CA and builds a new
// OpenSSL context per connection, which cost this generator more CPU than the handshake itself.
// A shared context resumes nothing by itself (no `session` is passed): `resumed` checks that.
const secureContext = tls.createSecureContext({ ca: fs.readFileSync(caFile), minVersion: 'TLSv1.2' });

const VERSION = 0x01, T_REGISTER = 0x01, T_CHALLENGE = 0x80, T_REGISTERED = 0x81;
const ID_LEN = 16, NONCE_LEN = 32;
const REGISTER_CONTEXT = Buffer.from('secure-relay/register/v1', 'ascii');

const nowNs = () => process.hrtime.bigint();
const start = nowNs();
const from = start + BigInt(Math.round(warmupSeconds * 1e9));
const until = from + BigInt(Math.round(measureSeconds * 1e9));

const times = []; // connect times in the measured window, microseconds
let made = 0, failures = 0, resumed = 0, firstFailure = null;
let cpu0 = null, cpu = null;

/** One connection: resolves with the connect time in ns, rejects on any failure. */
function once() {
  return new Promise((resolve, reject) => {
    const t0 = nowNs();
    let key = null, pub = null, id = null;
    if (mode === 'relay') {
      const pair = crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
      key = pair.privateKey;
      pub = pair.publicKey.export({ format: 'der', type: 'spki' }).subarray(-65);
      id = crypto.createHash('sha256').update(pub).digest().subarray(0, ID_LEN);
    }
    const ws = new WebSocket(url, { secureContext, perMessageDeflate: false, handshakeTimeout: 10000 });
    ws.binaryType = 'nodebuffer';
    let connectedAt = null;
    let settled = false;
    const done = (err) => {
      if (settled) return;
      settled = true;
      if (err) {
        ws.terminate();
        reject(err);
        return;
      }
      if (ws._socket && ws._socket.isSessionReused()) resumed++;
      ws.once('close', () => resolve(connectedAt - t0));
      ws.close(1000, 'done');
    };
    ws.on('error', (e) => done(e));
    ws.on('unexpected-response', (req, res) => done(new Error('handshake refused: HTTP ' + res.statusCode)));
    ws.on('close', (code) => { if (!settled) done(new Error('closed by the server: ' + code)); });
    ws.on('open', () => {
      if (mode === 'echo') {
        connectedAt = nowNs();
        done(null);
      }
    });
    ws.on('message', (data, isBinary) => {
      if (mode !== 'relay' || settled) return;
      if (isBinary && data.length === 2 + NONCE_LEN && data[0] === VERSION && data[1] === T_CHALLENGE) {
        const sig = crypto.sign('sha256', Buffer.concat([REGISTER_CONTEXT, data.subarray(2), pub]),
          { key, dsaEncoding: 'ieee-p1363' });
        ws.send(Buffer.concat([Buffer.from([VERSION, T_REGISTER]), pub, sig]));
      } else if (isBinary && data.length === 2 + ID_LEN && data[0] === VERSION && data[1] === T_REGISTERED) {
        if (!data.subarray(2).equals(id)) {
          done(new Error('registered as ' + data.subarray(2).toString('hex') + ', expected ' + id.toString('hex')));
          return;
        }
        connectedAt = nowNs();
        done(null);
      } else {
        done(new Error('unexpected frame while registering: ' + data.subarray(0, 40).toString('hex')));
      }
    });
  });
}

async function chain() {
  while (nowNs() < until) {
    const t0 = nowNs();
    try {
      const ns = await once();
      if (t0 >= from && t0 + ns <= until) {
        times.push(Number(ns) / 1000);
        made++;
      }
    } catch (e) {
      if (t0 >= from && nowNs() <= until) failures++;
      if (firstFailure === null) firstFailure = String(e && e.message ? e.message : e);
    }
  }
}

function percentile(sorted, q) {
  if (sorted.length === 0) return null;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return Math.round(sorted[i]) / 1000;
}

async function main() {
  let last = 0;
  const progress = setInterval(() => {
    process.stderr.write(`churn: ${mode}: ${made} connections measured (+${made - last})\n`);
    last = made;
  }, 1000);
  setTimeout(() => { cpu0 = process.cpuUsage(); }, warmupSeconds * 1000);
  setTimeout(() => { cpu = process.cpuUsage(cpu0); }, (warmupSeconds + measureSeconds) * 1000);
  await Promise.all(Array.from({ length: chains }, chain));
  clearInterval(progress);
  if (cpu === null) cpu = process.cpuUsage(cpu0 || undefined);
  times.sort((a, b) => a - b);
  process.stdout.write(JSON.stringify({
    mode, chains, seconds: measureSeconds, connections: made,
    perSecond: Math.round(made / measureSeconds * 10) / 10,
    p50ms: percentile(times, 0.5), p99ms: percentile(times, 0.99), maxms: percentile(times, 1),
    failures, resumed, firstFailure,
    cpuUserMs: Math.round(cpu.user / 1000), cpuSystemMs: Math.round(cpu.system / 1000),
  }) + '\n');
}

main().catch((e) => {
  process.stderr.write('churn: ' + e.stack + '\n');
  process.exit(1);
});
