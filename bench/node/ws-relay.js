#!/usr/bin/env node
// ws-relay.js: the BASELINE for the relay benchmarks, the "minimal relay a user might pick
// instead" of secure-relay. A plain Node.js relay on the npm `ws` package that speaks the relay
// protocol of docs/PROTOCOL.md (part 1) and routes like the real relay:
//   - every connection gets a CHALLENGE (01 80 nonce[32]);
//   - REGISTER (01 01 pub[65] sig[64]) is verified: ECDSA P-256 SHA-256, raw r||s, over
//     "secure-relay/register/v1" || nonce || pub; the point is checked (04 prefix, coordinates
//     below p, on the curve: Node's key import); a bad proof closes with 4003;
//   - REGISTERED (01 81 id[16]), id = SHA-256(pub)[0..16]; a newer connection proving the same
//     key takes the ID over (the older one is closed with 4001);
//   - SEND (01 02 to[16] payload) -> DELIVER (01 82 from[16] payload) to the target, or
//     ERROR 0x0001 PEER_NOT_CONNECTED (01 83 0001 to[16] "peer not connected") to the sender;
//   - text frame 1003, malformed frame 1002, SEND before REGISTER / second REGISTER 1008,
//     frame over 65,554 bytes 1009 (by `ws`), no valid REGISTER within 10 s 4002,
//     more than --max-queued bytes (1 MiB) waiting for a receiver: it is closed with 4008 and
//     the sender gets ERROR 0x0003 DELIVERY_FAILED; an Origin header is refused (HTTP 403).
// Not implemented (the real relay has them): per-connection rate limits (4029), connections per
// address (4013), keep-alive pings and the idle timeout (4004), metrics, admin console.
// No logging per frame; one allocation and one copy per forwarded frame (to build DELIVER).
//
// For tests that play a faulty relay (never in a benchmark): --fault KIND:N spoils every Nth
// forwarded frame: drop (not sent), dup (sent twice), reorder (held back and sent after the next
// one to the same receiver), misroute (delivered to its own sender instead of its target).
//
// Run (from the repository root; `npm install` in bench/node first):
//   node bench/node/ws-relay.js --port 9443 --pfx certs/generated/relay.p12 \
//        --passfile certs/generated/relay.pass [--host 127.0.0.1] [--max-queued 1048576]
// Endpoint: wss://localhost:9443/relay. Prints exactly "listening <port>" on stdout when ready
// (--port 0 picks a free port). SIGTERM or SIGINT: closes every connection (1001) and exits 0.
'use strict';

const crypto = require('crypto');
const { arg, usageOf, serverArgs, startServer } = require('./common');

const usage = usageOf('ws-relay', 'ws-relay.js --port N --pfx relay.p12 --passfile relay.pass '
  + '[--host 127.0.0.1] [--max-queued BYTES] [--fault KIND:N]');
const listen = serverArgs(usage);
const maxQueued = Number(arg('--max-queued', String(1024 * 1024)));
const faultSpec = arg('--fault', '');
const faultMatch = /^(drop|dup|reorder|misroute):([1-9][0-9]*)$/.exec(faultSpec);
if (faultSpec && !faultMatch) usage('--fault is KIND:N with KIND drop, dup, reorder or misroute');
const faultKind = faultMatch ? faultMatch[1] : null;
const faultEvery = faultMatch ? Number(faultMatch[2]) : 0;
let forwarded = 0;
let heldBack = null;
if (!Number.isInteger(maxQueued) || maxQueued < 0) usage('--max-queued is a byte count (0: no limit)');

// Protocol constants (docs/PROTOCOL.md part 1).
const VERSION = 0x01;
const T_REGISTER = 0x01, T_SEND = 0x02;
const T_CHALLENGE = 0x80, T_REGISTERED = 0x81, T_DELIVER = 0x82, T_ERROR = 0x83;
const ID_LEN = 16, NONCE_LEN = 32, PUB_LEN = 65, SIG_LEN = 64;
const REGISTER_LEN = 2 + PUB_LEN + SIG_LEN; // 131
const HEADER_LEN = 2 + ID_LEN; // SEND and DELIVER header: 18
const MAX_FRAME = 65554; // SEND with a 65,536-byte payload
const REGISTRATION_TIMEOUT_MS = 10000;
const E_PEER_NOT_CONNECTED = 0x0001, E_DELIVERY_FAILED = 0x0003;
const REGISTER_CONTEXT = Buffer.from('secure-relay/register/v1', 'ascii');
// The fixed DER prefix of a P-256 SubjectPublicKeyInfo; the 65-byte point follows it.
const P256_SPKI_PREFIX = Buffer.from('3059301306072a8648ce3d020106082a8648ce3d030107034200', 'hex');
const P256_P = Buffer.from('ffffffff00000001000000000000000000000000ffffffffffffffffffffffff', 'hex');

// Connection states, as in the real relay (RelayConnection.State).
const CHALLENGED = 1, REGISTERED = 2, CLOSED = 3;

function errorFrame(code, subject, reason) {
  const text = Buffer.from(reason, 'utf8');
  const out = Buffer.allocUnsafe(4 + ID_LEN + text.length);
  out[0] = VERSION;
  out[1] = T_ERROR;
  out.writeUInt16BE(code, 2);
  subject.copy(out, 4, 0, ID_LEN);
  text.copy(out, 4 + ID_LEN);
  return out;
}

/** Verifies a REGISTER proof over `nonce`; returns the 16-byte session ID, or null. */
function verifyRegister(frame, nonce) {
  const pub = frame.subarray(2, 2 + PUB_LEN);
  const sig = frame.subarray(2 + PUB_LEN, REGISTER_LEN);
  // 04 || X || Y with X, Y < p; the key import then refuses points off the curve.
  if (pub[0] !== 0x04 || P256_P.compare(pub, 1, 33) <= 0 || P256_P.compare(pub, 33, 65) <= 0) return null;
  let key;
  try {
    key = crypto.createPublicKey({ key: Buffer.concat([P256_SPKI_PREFIX, pub]), format: 'der', type: 'spki' });
  } catch (e) {
    return null;
  }
  let ok;
  try {
    ok = crypto.verify('sha256', Buffer.concat([REGISTER_CONTEXT, nonce, pub]),
      { key, dsaEncoding: 'ieee-p1363' }, sig);
  } catch (e) {
    ok = false;
  }
  if (!ok) return null;
  return crypto.createHash('sha256').update(pub).digest().subarray(0, ID_LEN);
}

const wss = startServer({ prog: 'ws-relay', ...listen, path: '/relay', maxPayload: MAX_FRAME,
  shutdownReason: 'relay shutting down' });

// Session ID (16 bytes as a latin1 string) -> connection state object.
const routes = new Map();

/** Stops routing to `conn` at once: no frame of it counts any more, its ID is no longer routed. */
function forget(conn) {
  conn.state = CLOSED;
  if (conn.timer !== null) {
    clearTimeout(conn.timer);
    conn.timer = null;
  }
  if (conn.key !== null && routes.get(conn.key) === conn) routes.delete(conn.key);
}

/** Closes `conn` with a close code of docs/PROTOCOL.md, once. */
function closeConnection(conn, code, reason) {
  if (conn.state === CLOSED) return;
  forget(conn);
  conn.ws.close(code, reason);
}

wss.on('connection', (ws) => {
  const conn = { ws, state: CHALLENGED, nonce: crypto.randomBytes(NONCE_LEN), id: null, key: null, timer: null };

  const closeWith = (code, reason) => closeConnection(conn, code, reason);

  conn.timer = setTimeout(() => {
    conn.timer = null;
    if (conn.state === CHALLENGED) closeWith(4002, 'registration timeout');
  }, REGISTRATION_TIMEOUT_MS);

  ws.send(Buffer.concat([Buffer.from([VERSION, T_CHALLENGE]), conn.nonce]));

  ws.on('message', (data, isBinary) => {
    if (conn.state === CLOSED) return; // closing or taken over: nothing it sends counts any more
    if (!isBinary) {
      closeWith(1003, 'the relay protocol is binary');
      return;
    }
    const len = data.length;
    if (len < 2 || data[0] !== VERSION) {
      closeWith(1002, 'malformed frame');
      return;
    }
    const type = data[1];
    if (type === T_SEND) {
      if (len < HEADER_LEN) {
        closeWith(1002, 'SEND frame truncated in its session ID');
        return;
      }
      if (conn.state !== REGISTERED) {
        closeWith(1008, 'SEND before REGISTER');
        return;
      }
      const target = routes.get(data.toString('latin1', 2, HEADER_LEN));
      if (target === undefined) {
        ws.send(errorFrame(E_PEER_NOT_CONNECTED, data.subarray(2, HEADER_LEN), 'peer not connected'));
        return;
      }
      const tws = target.ws;
      if (tws.readyState !== 1 || (maxQueued > 0 && tws.bufferedAmount + len > maxQueued)) {
        // Closing already, or a slow consumer: it is closed (4008) and this frame is refused.
        if (tws.readyState === 1) closeConnection(target, 4008, 'too many unread bytes');
        ws.send(errorFrame(E_DELIVERY_FAILED, data.subarray(2, HEADER_LEN), 'delivery to peer failed'));
        return;
      }
      // DELIVER = 01 82 from[16] payload: one allocation, one copy of the payload.
      const out = Buffer.allocUnsafe(len);
      out[0] = VERSION;
      out[1] = T_DELIVER;
      conn.id.copy(out, 2);
      data.copy(out, HEADER_LEN, HEADER_LEN, len);
      if (faultKind !== null && ++forwarded % faultEvery === 0) {
        if (faultKind === 'drop') return;
        if (faultKind === 'dup') tws.send(out);
        if (faultKind === 'misroute') { ws.send(out); return; }
        if (faultKind === 'reorder') {
          if (heldBack !== null) heldBack.tws.send(heldBack.out); // one frame held at a time
          heldBack = { tws, out };
          return;
        }
      }
      tws.send(out);
      if (heldBack !== null && heldBack.tws === tws) {
        heldBack.tws.send(heldBack.out);
        heldBack = null;
      }
    } else if (type === T_REGISTER) {
      if (len !== REGISTER_LEN) {
        closeWith(1002, 'REGISTER frame of ' + len + ' bytes; it has exactly ' + REGISTER_LEN);
        return;
      }
      if (conn.state === REGISTERED) {
        closeWith(1008, 'already registered');
        return;
      }
      const id = verifyRegister(data, conn.nonce);
      if (id === null) {
        closeWith(4003, 'registration proof invalid');
        return;
      }
      conn.state = REGISTERED;
      conn.nonce = null;
      conn.id = id;
      conn.key = id.toString('latin1');
      clearTimeout(conn.timer);
      conn.timer = null;
      const old = routes.get(conn.key);
      routes.set(conn.key, conn);
      ws.send(Buffer.concat([Buffer.from([VERSION, T_REGISTERED]), id]));
      if (old !== undefined && old !== conn) {
        // The route already points here, so closing the old one does not touch it.
        closeConnection(old, 4001, 'session ID taken over by a newer connection of its owner');
      }
    } else {
      closeWith(1002, 'unknown client frame type 0x' + type.toString(16).padStart(2, '0'));
    }
  });

  ws.on('close', () => forget(conn));
  ws.on('error', () => { /* a peer's bad frames or resets: `ws` closes the connection itself */ });
});
