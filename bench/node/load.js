#!/usr/bin/env node
// load.js: a Node.js load generator for the relay THROUGHPUT scenario (closed loop), to check
// whether the Java generator is the bottleneck. One process, one event loop.
//
//   mode relay: 2N connections to a relay (the real one, or ws-relay.js), each with its own fresh
//     P-256 routing key, registered through CHALLENGE/REGISTER (docs/PROTOCOL.md part 1), paired
//     A_i <-> B_i. Each side sends SEND frames to its peer as fast as the window allows:
//     in flight = sent - received by the peer (both ends are in this process).
//   mode echo: 2N connections to wss-echo.js; each sends the same SEND-shaped frames (18-byte
//     header + payload, so the bytes on the wire match relay mode) and receives its own back.
//
// Payload (--size bytes, at least 21): pair index u32 | direction u8 (0: A->B, 1: B->A) |
// sequence u64 | send time u64 (process.hrtime.bigint, ns) | zeros. The receiver checks the
// DELIVER's from-ID (relay mode) and the pair/direction (else misrouted), that the sequence is
// previous+1 (else out of order; an old sequence seen before is a duplicate), and records the
// latency: send call to receive, one way through the relay (relay mode) or a round trip (echo mode).
//
// Run (from the repository root; `npm install` in bench/node first):
//   node bench/node/load.js --url wss://localhost:9443/relay --ca certs/generated/ca.pem \
//        --mode relay --pairs 10 [--size 1024] [--window 64] [--warmup 2] [--seconds 5] \
//        [--cork on|off] [--framing own|ws]
//
// --window W: frames in flight per direction per pair (per connection in echo mode), default 64.
//   With large frames keep W x frame size under the relay's 1 MiB queue per receiver (4008).
// --cork on|off: on (default) writes each burst of frames the window allows in one socket write
//   (several WebSocket frames per TLS record, as any busy client would); off: one write per frame
//   (Node coalesces writes queued behind a busy socket anyway: no measurable difference so far).
// --framing own|ws: own (default) builds and masks the client WebSocket frames itself (see
//   wireFrame: the same frames on the wire; this process then needs about 40% less CPU per
//   frame than with `ws`'s byte-by-byte JavaScript masking);
//   ws: every frame through ws.send.
// stdout: ONE line of JSON at the end:
//   {"mode","pairs","size","window","seconds","framesPerSecond","delivered","sent","lost",
//    "misrouted","outOfOrder","duplicates","p50us","p99us","p999us","cpuUserMs","cpuSystemMs"}
//   seconds: the measured time (after warmup); delivered: frames received in it;
//   framesPerSecond = delivered / seconds (all directions together); sent: frames sent over the
//   whole run (warmup too); lost = sent - received after sending stopped and up to 5 s of drain;
//   latency percentiles and CPU time (this process, user and system) are of the measured time.
//   outOfOrder counts sequence gaps and the late frames that fill them (a lost frame shows as a
//   gap too); duplicates: a sequence received twice; misrouted: wrong from-ID, pair or direction.
// stderr: one progress line a second. Exit 0: a valid run; 3: the JSON is printed but the run is
// invalid (lost, misrouted, out of order or duplicate frames); 1: a connection failed or closed
// before the end, or the relay answered with an ERROR; 2: bad arguments.
'use strict';

const fs = require('fs');
const crypto = require('crypto');
const WebSocket = require('ws');
const { arg } = require('./common');

// ---- arguments ------------------------------------------------------------------------------

function usage(message) {
  process.stderr.write('load: ' + message + '\nusage: load.js --url wss://localhost:PORT/relay --ca ca.pem '
    + '--mode relay|echo --pairs N [--size 1024] [--window 64] [--warmup 2] [--seconds 5] [--cork on|off] '
    + '[--framing own|ws]\n');
  process.exit(2);
}

const url = arg('--url');
const caFile = arg('--ca');
const mode = arg('--mode', 'relay');
const pairs = Number(arg('--pairs', '1'));
const size = Number(arg('--size', '1024'));
const windowSize = Number(arg('--window', '64'));
const warmupSeconds = Number(arg('--warmup', '2'));
const measureSeconds = Number(arg('--seconds', '5'));
const cork = arg('--cork', 'on');
const framing = arg('--framing', 'own');
if (!url || !caFile) usage('--url and --ca are required');
if (mode !== 'relay' && mode !== 'echo') usage('--mode is relay or echo');
if (!Number.isInteger(pairs) || pairs < 1) usage('--pairs is a positive integer');
if (!Number.isInteger(size) || size < 21 || size > 65536) usage('--size is 21 to 65536 payload bytes');
if (!Number.isInteger(windowSize) || windowSize < 1) usage('--window is a positive integer');
if (!(warmupSeconds >= 0)) usage('--warmup is seconds, 0 or more');
if (!(measureSeconds > 0)) usage('--seconds is a positive number of seconds');
if (cork !== 'on' && cork !== 'off') usage('--cork is on or off');
if (framing !== 'own' && framing !== 'ws') usage('--framing is own or ws');
const ca = fs.readFileSync(caFile);

// ---- protocol (docs/PROTOCOL.md part 1) -------------------------------------------------------

const VERSION = 0x01;
const T_REGISTER = 0x01, T_SEND = 0x02;
const T_CHALLENGE = 0x80, T_REGISTERED = 0x81, T_DELIVER = 0x82, T_ERROR = 0x83;
const ID_LEN = 16, NONCE_LEN = 32, HEADER_LEN = 18;
const REGISTER_CONTEXT = Buffer.from('secure-relay/register/v1', 'ascii');
// Payload fields, at offsets in the frame (after the 18-byte SEND/DELIVER header).
const O_PAIR = HEADER_LEN, O_DIR = HEADER_LEN + 4, O_SEQ_HI = HEADER_LEN + 5, O_SEQ_LO = HEADER_LEN + 9;
const O_TIME = HEADER_LEN + 13;
const FRAME_LEN = HEADER_LEN + size;
const TWO32 = 4294967296;

// ---- results ----------------------------------------------------------------------------------

// Latency histogram: 64 logarithmic buckets per power of two of nanoseconds (about 1.1% wide).
const SUB = 64;
const hist = new Float64Array(SUB * 44);
let histCount = 0;
function recordLatency(ns) {
  const i = ns < 1 ? 0 : Math.floor(Math.log2(ns) * SUB);
  hist[i < hist.length ? i : hist.length - 1]++;
  histCount++;
}
function percentileUs(q) {
  if (histCount === 0) return null;
  const rank = Math.max(1, Math.ceil(q * histCount));
  let seen = 0;
  for (let i = 0; i < hist.length; i++) {
    seen += hist[i];
    if (seen >= rank) return Math.round(Math.pow(2, (i + 0.5) / SUB) / 100) / 10; // bucket middle, us
  }
  return null;
}

let totalSent = 0, totalReceived = 0, misrouted = 0, outOfOrder = 0, duplicates = 0;
let measuring = false, stopped = false, finishing = false;
let measuredReceived = 0;

function fail(message) {
  if (finishing) return;
  finishing = true;
  process.stderr.write('load: FAILED: ' + message + '\n');
  process.exit(1);
}

// ---- connections --------------------------------------------------------------------------------

// One object per connection. It sends one stream of frames to `target` (its peer; itself in echo
// mode), counted on it: `sent`, `acked` (received at the other end), `nextSeq` (the next sequence
// expected there). It receives the stream of `source` (its peer; itself in echo mode).
function makeConnection(pair, side) {
  const c = {
    name: (side === 0 ? 'A' : 'B') + pair, pair, side, ws: null, id: null, pub: null, privateKey: null,
    source: null, target: null, frame: null,
    sent: 0, acked: 0, nextSeq: 0, missing: null, pending: false,
  };
  if (mode === 'relay') {
    const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    c.privateKey = privateKey;
    c.pub = publicKey.export({ format: 'der', type: 'spki' }).subarray(-65); // 04 || X || Y
    c.id = crypto.createHash('sha256').update(c.pub).digest().subarray(0, ID_LEN);
  } else {
    c.id = crypto.randomBytes(ID_LEN); // a stand-in ID: the echo server sends it back unchanged
  }
  return c;
}

const conns = [];
for (let i = 0; i < pairs; i++) {
  const a = makeConnection(i, 0), b = makeConnection(i, 1);
  if (mode === 'relay') {
    a.target = b; b.target = a; a.source = b; b.source = a;
  } else {
    a.target = a; a.source = a; b.target = b; b.source = b;
  }
  conns.push(a, b);
}
for (const c of conns) {
  // The (unmasked) frame this connection sends, reused: only the sequence and time change between
  // sends. It is copied at once into the masked wire frame, by wireFrame or by `ws` (which masks
  // into a copy, synchronously: perMessageDeflate is off).
  const f = Buffer.alloc(FRAME_LEN); // zeros after the fields
  f[0] = VERSION;
  f[1] = T_SEND;
  c.target.id.copy(f, 2);
  f.writeUInt32BE(c.pair, O_PAIR);
  f[O_DIR] = c.side;
  c.frame = f;
  c.maskKey = Buffer.alloc(4);
}

const EXPECT_TYPE = mode === 'relay' ? T_DELIVER : T_SEND;

function onFrame(c, data) {
  if (data.length < 2 || data[0] !== VERSION) fail(c.name + ': unexpected frame ' + data.subarray(0, 20).toString('hex'));
  const type = data[1];
  if (type !== EXPECT_TYPE) {
    if (type === T_ERROR && data.length >= 4 + ID_LEN) {
      fail(c.name + ': ERROR 0x' + data.readUInt16BE(2).toString(16).padStart(4, '0') + ' for '
        + data.subarray(4, 4 + ID_LEN).toString('hex') + ': ' + data.subarray(4 + ID_LEN).toString('utf8'));
    }
    fail(c.name + ': unexpected frame type 0x' + type.toString(16));
  }
  if (data.length !== FRAME_LEN) fail(c.name + ': frame of ' + data.length + ' bytes, expected ' + FRAME_LEN);
  const s = c.source;
  // Relay mode: the DELIVER's from-ID; echo mode: our own stand-in ID, sent back.
  if (data.compare(mode === 'relay' ? s.id : c.id, 0, ID_LEN, 2, HEADER_LEN) !== 0
      || data.readUInt32BE(O_PAIR) !== s.pair || data[O_DIR] !== s.side) {
    misrouted++;
    return;
  }
  const seq = data.readUInt32BE(O_SEQ_HI) * TWO32 + data.readUInt32BE(O_SEQ_LO);
  if (seq === s.nextSeq) {
    s.nextSeq++;
  } else if (seq > s.nextSeq) { // a gap: the frames in it are late (out of order) or lost
    outOfOrder++;
    if (s.missing === null) s.missing = new Set();
    for (let k = s.nextSeq; k < seq && s.missing.size < 1000000; k++) s.missing.add(k);
    s.nextSeq = seq + 1;
  } else if (s.missing !== null && s.missing.delete(seq)) {
    outOfOrder++;
  } else {
    duplicates++;
    return;
  }
  s.acked++;
  totalReceived++;
  if (measuring) {
    measuredReceived++;
    recordLatency(Number(process.hrtime.bigint() - data.readBigUInt64BE(O_TIME)));
  }
  if (!s.pending) {
    s.pending = true;
    pendingList.push(s);
    if (!flushScheduled) {
      flushScheduled = true;
      setImmediate(flushPending);
    }
  }
}

// Senders whose window opened: refilled once per turn of the event loop, after every frame that
// arrived in it was read.
let pendingList = [];
let flushScheduled = false;
function flushPending() {
  flushScheduled = false;
  const list = pendingList;
  pendingList = [];
  for (let i = 0; i < list.length; i++) {
    list[i].pending = false;
    pump(list[i]);
  }
}

// --framing own: this process writes the WebSocket frames of its SEND messages itself, straight
// to the TLS socket: FIN + binary opcode, the payload length, a random 4-byte masking key (from
// a CSPRNG pool, as `ws` does) and the masked bytes. `ws` masks byte by byte in JavaScript (no
// native helper on this Node without the optional `bufferutil`), a third of this process's CPU;
// here only the first 40 bytes are XORed one by one, the all-zero rest of the frame masks to the
// key repeated (Buffer.fill). The bytes on the wire are the same as `ws` would send, with another
// random key: the server unmasks either way. Whole frames are written at once, so the frames `ws`
// itself sends (pong, close) never land inside one. --framing ws: every frame goes through ws.send.
const WS_HEADER = FRAME_LEN < 126 ? 6 : FRAME_LEN < 65536 ? 8 : 14;
const KNOWN = Math.min(FRAME_LEN, 40); // the bytes that may be non-zero (39), up to a multiple of 4
const maskPool = Buffer.allocUnsafe(4096);
let maskAt = maskPool.length;

function wireFrame(f, maskKey) {
  if (maskAt === maskPool.length) {
    crypto.randomFillSync(maskPool);
    maskAt = 0;
  }
  const m0 = maskPool[maskAt], m1 = maskPool[maskAt + 1], m2 = maskPool[maskAt + 2], m3 = maskPool[maskAt + 3];
  maskAt += 4;
  maskKey[0] = m0; maskKey[1] = m1; maskKey[2] = m2; maskKey[3] = m3;
  const out = Buffer.allocUnsafe(WS_HEADER + FRAME_LEN);
  out[0] = 0x82; // FIN, binary
  if (WS_HEADER === 6) {
    out[1] = 0x80 | FRAME_LEN;
  } else if (WS_HEADER === 8) {
    out[1] = 0x80 | 126;
    out.writeUInt16BE(FRAME_LEN, 2);
  } else {
    out[1] = 0x80 | 127;
    out.writeUInt32BE(0, 2);
    out.writeUInt32BE(FRAME_LEN, 6);
  }
  const p = WS_HEADER;
  out[p - 4] = m0; out[p - 3] = m1; out[p - 2] = m2; out[p - 1] = m3;
  for (let i = 0; i < KNOWN; i++) out[p + i] = f[i] ^ maskKey[i & 3];
  if (FRAME_LEN > KNOWN) out.fill(maskKey, p + KNOWN, p + FRAME_LEN);
  return out;
}

function pump(c) {
  if (stopped) return;
  let n = windowSize - (c.sent - c.acked);
  if (n <= 0) return;
  const ws = c.ws, f = c.frame, socket = ws._socket, own = framing === 'own';
  if (cork === 'on') socket.cork();
  while (n-- > 0) {
    const seq = c.sent;
    f.writeUInt32BE(Math.floor(seq / TWO32), O_SEQ_HI);
    f.writeUInt32BE(seq >>> 0, O_SEQ_LO);
    f.writeBigUInt64BE(process.hrtime.bigint(), O_TIME);
    if (own) {
      socket.write(wireFrame(f, c.maskKey));
    } else {
      ws.send(f); // masks into a copy of f, at once (perMessageDeflate is off): f can be reused
    }
    c.sent++;
    totalSent++;
  }
  if (cork === 'on') socket.uncork();
}

function connect(c) {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, {
      ca, minVersion: 'TLSv1.2', perMessageDeflate: false, maxPayload: 65554, handshakeTimeout: 10000,
    });
    c.ws = ws;
    ws.binaryType = 'nodebuffer';
    ws.on('unexpected-response', (req, res) => fail(c.name + ': handshake refused: HTTP ' + res.statusCode));
    ws.on('error', (err) => fail(c.name + ': ' + err.message));
    ws.on('close', (code, reason) => fail(c.name + ': connection closed before the end: ' + code + ' ' + reason.toString()));
    if (mode === 'echo') {
      ws.on('open', () => {
        ws.on('message', (data, isBinary) => {
          if (!isBinary) fail(c.name + ': text message');
          onFrame(c, data);
        });
        resolve();
      });
      return;
    }
    // Relay mode: CHALLENGE -> REGISTER (signed over its nonce) -> REGISTERED, then frames.
    let registered = false;
    ws.on('message', (data, isBinary) => {
      if (registered) {
        if (!isBinary) fail(c.name + ': text message');
        onFrame(c, data);
      } else if (isBinary && data.length === 2 + NONCE_LEN && data[0] === VERSION && data[1] === T_CHALLENGE) {
        const signature = crypto.sign('sha256', Buffer.concat([REGISTER_CONTEXT, data.subarray(2), c.pub]),
          { key: c.privateKey, dsaEncoding: 'ieee-p1363' });
        ws.send(Buffer.concat([Buffer.from([VERSION, T_REGISTER]), c.pub, signature]));
      } else if (isBinary && data.length === 2 + ID_LEN && data[0] === VERSION && data[1] === T_REGISTERED) {
        if (!data.subarray(2).equals(c.id)) fail(c.name + ': registered as ' + data.subarray(2).toString('hex') + ', expected ' + c.id.toString('hex'));
        registered = true;
        resolve();
      } else {
        fail(c.name + ': unexpected frame while registering: ' + data.subarray(0, 40).toString('hex'));
      }
    });
  });
}

// ---- the run ------------------------------------------------------------------------------------

const now = () => Number(process.hrtime.bigint()) / 1e9;

async function main() {
  const setup = setTimeout(() => fail('connections not ready after 30 s'), 30000);
  const t0 = now();
  await Promise.all(conns.map(connect));
  clearTimeout(setup);
  const s0 = conns[0].ws._socket;
  process.stderr.write(`load: ${conns.length} connections ${mode === 'relay' ? 'registered' : 'open'} in `
    + `${(now() - t0).toFixed(2)} s (${s0.getProtocol()}, ${s0.getCipher().name}); mode ${mode}, ${pairs} pairs, `
    + `${size} B payload, window ${windowSize}, cork ${cork}, framing ${framing}; warmup ${warmupSeconds} s, measuring ${measureSeconds} s\n`);

  const start = now();
  let phase = 'warmup';
  let lastReceived = 0, lastTime = start;
  const progress = setInterval(() => {
    const t = now();
    const rate = (totalReceived - lastReceived) / (t - lastTime);
    lastReceived = totalReceived;
    lastTime = t;
    process.stderr.write(`load: ${(t - start).toFixed(1)} s ${phase}: ${Math.round(rate)} frames/s, `
      + `sent ${totalSent}, received ${totalReceived}, in flight ${totalSent - totalReceived}\n`);
  }, 1000);

  for (const c of conns) pump(c);

  let mStart = 0, mEnd = 0, cpu0 = null, cpu = null;
  await sleep(warmupSeconds * 1000);
  phase = 'measure';
  hist.fill(0);
  histCount = 0;
  measuredReceived = 0;
  cpu0 = process.cpuUsage();
  mStart = now();
  measuring = true;
  await sleep(measureSeconds * 1000);
  measuring = false;
  mEnd = now();
  cpu = process.cpuUsage(cpu0);
  stopped = true;
  phase = 'drain';

  const drainUntil = now() + 5;
  while (totalReceived + misrouted < totalSent && now() < drainUntil) await sleep(10);
  clearInterval(progress);

  const seconds = mEnd - mStart;
  const lost = totalSent - totalReceived;
  const result = {
    mode, pairs, size, window: windowSize,
    seconds: Math.round(seconds * 1000) / 1000,
    framesPerSecond: Math.round(measuredReceived / seconds),
    delivered: measuredReceived,
    sent: totalSent,
    lost, misrouted, outOfOrder, duplicates,
    p50us: percentileUs(0.5), p99us: percentileUs(0.99), p999us: percentileUs(0.999),
    cpuUserMs: Math.round(cpu.user / 1000), cpuSystemMs: Math.round(cpu.system / 1000),
  };

  // Close cleanly (1000), then report.
  finishing = true;
  const closed = Promise.all(conns.map((c) => new Promise((resolve) => {
    c.ws.removeAllListeners('close');
    c.ws.removeAllListeners('error');
    c.ws.on('error', () => {});
    if (c.ws.readyState === WebSocket.CLOSED) return resolve();
    c.ws.on('close', resolve);
    c.ws.close(1000, 'done');
  })));
  await Promise.race([closed, sleep(2000)]);
  process.stdout.write(JSON.stringify(result) + '\n');
  const invalid = lost !== 0 || misrouted !== 0 || outOfOrder !== 0 || duplicates !== 0;
  if (invalid) {
    process.stderr.write(`load: INVALID RUN: lost ${lost}, misrouted ${misrouted}, out of order ${outOfOrder}, `
      + `duplicates ${duplicates}\n`);
  }
  process.exit(invalid ? 3 : 0);
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

main().catch((err) => fail(err && err.stack ? err.stack : String(err)));
