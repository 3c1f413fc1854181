#!/usr/bin/env node
'use strict';
// Waits until a Kafka broker is really usable: the port accepts connections AND a metadata
// round trip succeeds (kafkajs admin.describeCluster() + listTopics()), authenticated with
// SASL/SCRAM-SHA-512 as the admin of this state directory when it has credentials.
//
// Usage: node infra/local/wait-for-kafka.js [--brokers 127.0.0.1:9092] [--timeout 90]
//                                           [--pid <broker pid>] [--client auto|kafkajs|raw] [--quiet]
//                                           [--username admin] [--password-file <file>] [--any-kafka]
//
// --pid      give up at once (exit 3) when that process has exited (the broker crashed).
// --client   auto (default): kafkajs when it can be found (repo node_modules, then NODE_PATH),
//            otherwise built-in requests over a plain socket (SaslHandshake + SCRAM-SHA-512
//            SaslAuthenticate when there are credentials, then Metadata v1), so that
//            `kafka.sh start` works before kafkajs is a dependency of the repository.
// --username, --password-file
//            who to authenticate as (default: admin, with <state>/kafka/credentials/admin.password
//            when that file exists; without credentials no SASL is used).
// --any-kafka
//            only check that some Kafka broker answers (an ApiVersions request, which needs no
//            authentication): tells a foreign broker from something that is not Kafka at all.
// Exit codes: 0 ready, 1 timed out, 2 bad usage / kafkajs missing with --client kafkajs,
//             3 the --pid process exited.

const { createHash, createHmac, pbkdf2Sync, randomBytes } = require('crypto');
const net = require('net');
const { loadKafkajs } = require('./kafka/load-kafkajs');
const { saslOptions } = require('./kafka/credentials');

function parseArgs(argv) {
  const opts = {
    brokers: process.env.KAFKA_BROKERS || `127.0.0.1:${process.env.KAFKA_PORT || 9092}`,
    timeout: Number(process.env.KAFKA_START_TIMEOUT || 90),
    pid: null,
    client: process.env.KAFKA_WAIT_CLIENT || 'auto',
    quiet: false,
    username: undefined,
    passwordFile: undefined,
    anyKafka: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) usage(`missing value for ${a}`);
      return argv[++i];
    };
    if (a === '--brokers') opts.brokers = next();
    else if (a === '--timeout') opts.timeout = Number(next());
    else if (a === '--pid') opts.pid = Number(next());
    else if (a === '--client') opts.client = next();
    else if (a === '--quiet') opts.quiet = true;
    else if (a === '--username') opts.username = next();
    else if (a === '--password-file') opts.passwordFile = next();
    else if (a === '--any-kafka') opts.anyKafka = true;
    else usage(`unknown argument ${a}`);
  }
  if (!Number.isFinite(opts.timeout) || opts.timeout <= 0) usage('--timeout must be > 0 seconds');
  if (!['auto', 'kafkajs', 'raw'].includes(opts.client)) usage('--client must be auto|kafkajs|raw');
  opts.brokerList = opts.brokers
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  return opts;
}

function usage(msg) {
  process.stderr.write(`wait-for-kafka: ${msg}\n`);
  process.exit(2);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function splitHostPort(broker) {
  const idx = broker.lastIndexOf(':');
  return { host: broker.slice(0, idx), port: Number(broker.slice(idx + 1)) };
}

function pidAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}

function portOpen(host, port, timeoutMs = 1000) {
  return new Promise((resolve) => {
    const sock = net.connect({ host, port });
    const done = (ok) => {
      sock.removeAllListeners();
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

// ---- metadata round trip through kafkajs -------------------------------------------------
async function kafkajsProbe(kjs, brokerList, sasl) {
  const { Kafka, logLevel } = kjs.kafkajs;
  const kafka = new Kafka({
    clientId: 'rapport-wait-for-kafka',
    brokers: brokerList,
    ...(sasl ? { sasl } : {}),
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3000,
    requestTimeout: 5000,
    retry: { retries: 0 },
  });
  const admin = kafka.admin({ retry: { retries: 0 } });
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    if (!cluster.brokers || cluster.brokers.length === 0)
      throw new Error('metadata lists no brokers yet');
    const topics = await admin.listTopics();
    return {
      clusterId: cluster.clusterId,
      brokers: cluster.brokers.length,
      controller: cluster.controller,
      topics: topics.length,
    };
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

// ---- round trips without dependencies -----------------------------------------------------
// One socket, one request at a time: [int32 size][request header v1][body] out,
// [int32 size][int32 correlation id][body] back (all the versions used here are non-flexible).
function rawConnection(host, port, timeoutMs = 5000) {
  const clientId = Buffer.from('rapport-wait-for-kafka');
  const sock = net.connect({ host, port });
  let buf = Buffer.alloc(0);
  let pending = null;
  let failure = null;
  let nextCorrelation = Math.floor(Math.random() * 0x3fffffff);
  const fail = (err) => {
    failure = failure || err;
    if (pending) pending.reject(failure);
    pending = null;
    sock.destroy();
  };
  sock.setTimeout(timeoutMs, () => fail(new Error('request timed out')));
  sock.on('error', fail);
  sock.on('close', () => fail(new Error('connection closed before a response')));
  sock.on('data', (chunk) => {
    buf = Buffer.concat([buf, chunk]);
    if (!pending || buf.length < 4 || buf.length < 4 + buf.readInt32BE(0)) return;
    const frame = buf.subarray(4, 4 + buf.readInt32BE(0));
    buf = buf.subarray(4 + frame.length);
    const { resolve, reject, correlationId } = pending;
    pending = null;
    if (frame.readInt32BE(0) !== correlationId) reject(new Error('correlation id mismatch'));
    else resolve(frame.subarray(4));
  });
  const connected = new Promise((resolve, reject) => {
    sock.once('connect', resolve);
    sock.once('error', reject);
  });
  return {
    async request(apiKey, apiVersion, body) {
      await connected;
      if (failure) throw failure;
      const correlationId = nextCorrelation++;
      const header = Buffer.alloc(10 + clientId.length);
      let o = header.writeInt16BE(apiKey, 0);
      o = header.writeInt16BE(apiVersion, o);
      o = header.writeInt32BE(correlationId, o);
      o = header.writeInt16BE(clientId.length, o);
      clientId.copy(header, o);
      const size = Buffer.alloc(4);
      size.writeInt32BE(header.length + body.length, 0);
      return new Promise((resolve, reject) => {
        pending = { resolve, reject, correlationId };
        sock.write(Buffer.concat([size, header, body]));
      });
    },
    close() {
      sock.removeAllListeners('close');
      sock.destroy();
    },
  };
}

const int16 = (n) => {
  const b = Buffer.alloc(2);
  b.writeInt16BE(n, 0);
  return b;
};
const int32 = (n) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n, 0);
  return b;
};
const kString = (s) => Buffer.concat([int16(Buffer.byteLength(s)), Buffer.from(s)]);
const kBytes = (b) => Buffer.concat([int32(b.length), b]);

/** SaslHandshake v1 + SCRAM-SHA-512 over SaslAuthenticate v0 (RFC 5802, as Kafka speaks it). */
async function rawScramAuthenticate(conn, { username, password }) {
  const handshake = await conn.request(17, 1, kString('SCRAM-SHA-512'));
  const handshakeError = handshake.readInt16BE(0);
  if (handshakeError !== 0)
    throw new Error(`SaslHandshake refused SCRAM-SHA-512 (error ${handshakeError})`);
  const authenticate = async (message) => {
    const r = await conn.request(36, 0, kBytes(Buffer.from(message)));
    const error = r.readInt16BE(0);
    const msgLen = r.readInt16BE(2);
    const errorMessage = msgLen >= 0 ? r.toString('utf8', 4, 4 + msgLen) : '';
    const o = 4 + Math.max(msgLen, 0);
    if (error !== 0)
      throw new Error(`SASL authentication failed: ${errorMessage || `error ${error}`}`);
    return r.toString('utf8', o + 4, o + 4 + r.readInt32BE(o));
  };
  const saslName = username.replace(/=/g, '=3D').replace(/,/g, '=2C');
  const clientNonce = randomBytes(24).toString('base64');
  const clientFirstBare = `n=${saslName},r=${clientNonce}`;
  const serverFirst = await authenticate(`n,,${clientFirstBare}`);
  const attrs = Object.fromEntries(serverFirst.split(',').map((kv) => [kv[0], kv.slice(2)]));
  if (!attrs.r || !attrs.r.startsWith(clientNonce) || !attrs.s || !attrs.i)
    throw new Error('unexpected SCRAM server-first message');
  const hmac = (key, data) => createHmac('sha512', key).update(data).digest();
  const salted = pbkdf2Sync(
    password,
    Buffer.from(attrs.s, 'base64'),
    Number(attrs.i),
    64,
    'sha512',
  );
  const clientKey = hmac(salted, 'Client Key');
  const storedKey = createHash('sha512').update(clientKey).digest();
  const finalWithoutProof = `c=biws,r=${attrs.r}`;
  const authMessage = `${clientFirstBare},${serverFirst},${finalWithoutProof}`;
  const signature = hmac(storedKey, authMessage);
  const proof = Buffer.from(clientKey.map((byte, i) => byte ^ signature[i]));
  const serverFinal = await authenticate(`${finalWithoutProof},p=${proof.toString('base64')}`);
  const expected = hmac(hmac(salted, 'Server Key'), authMessage).toString('base64');
  if (serverFinal !== `v=${expected}`)
    throw new Error('the broker did not prove it knows the password');
}

async function rawMetadata(host, port, sasl) {
  const conn = rawConnection(host, port);
  try {
    if (sasl) await rawScramAuthenticate(conn, sasl);
    return parseMetadataV1(await conn.request(3, 1, int32(-1))); // topics: null = all topics
  } finally {
    conn.close();
  }
}

/** True when the broker answers ApiVersions v0 (allowed before authentication on every listener). */
async function rawApiVersions(host, port) {
  const conn = rawConnection(host, port);
  try {
    const r = await conn.request(18, 0, Buffer.alloc(0));
    return r.readInt16BE(0) === 0 && r.readInt32BE(2) > 0;
  } finally {
    conn.close();
  }
}

function parseMetadataV1(b) {
  let o = 0;
  const i16 = () => ((o += 2), b.readInt16BE(o - 2));
  const i32 = () => ((o += 4), b.readInt32BE(o - 4));
  const str = () => {
    const len = i16();
    if (len < 0) return null;
    o += len;
    return b.toString('utf8', o - len, o);
  };
  const brokers = [];
  for (let n = i32(), k = 0; k < n; k++) {
    brokers.push({ nodeId: i32(), host: str(), port: i32(), rack: str() });
  }
  const controller = i32();
  const topics = [];
  for (let n = i32(), k = 0; k < n; k++) {
    i16(); // error_code
    const name = str();
    o += 1; // is_internal
    for (let p = i32(), j = 0; j < p; j++) {
      o += 2 + 4 + 4; // error_code, partition, leader
      // read the count first: `o += 4 * i32()` would use `o` from before i32() advanced it
      const replicas = i32();
      o += 4 * replicas;
      const isr = i32();
      o += 4 * isr;
    }
    topics.push(name);
  }
  return { brokers, controller, topics };
}

async function rawProbe(brokerList, sasl) {
  const { host, port } = splitHostPort(brokerList[0]);
  const md = await rawMetadata(host, port, sasl);
  if (md.brokers.length === 0) throw new Error('metadata lists no brokers yet');
  return {
    clusterId: '(not in Metadata v1)',
    brokers: md.brokers.length,
    controller: md.controller,
    topics: md.topics.length,
  };
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const log = (m) => opts.quiet || process.stdout.write(`[wait-for-kafka] ${m}\n`);
  if (opts.anyKafka) return anyKafka(opts, log);
  const sasl = saslOptions({ username: opts.username, passwordFile: opts.passwordFile });

  let kjs = null;
  if (opts.client !== 'raw') {
    kjs = loadKafkajs();
    if (!kjs && opts.client === 'kafkajs') {
      usage(
        'kafkajs not found (repo node_modules or NODE_PATH); e.g. npm i kafkajs@2.2.4 --prefix /tmp/kjs && export NODE_PATH=/tmp/kjs/node_modules',
      );
    }
  }
  const via = kjs
    ? `kafkajs ${kjs.version}`
    : `built-in Metadata v1 request${opts.client === 'raw' ? '' : ' (kafkajs not found)'}`;
  const started = Date.now();
  const deadline = started + opts.timeout * 1000;
  const { host, port } = splitHostPort(opts.brokerList[0]);
  let lastError = 'port not accepting connections yet';
  let portSeen = false;
  const as = sasl ? ` as ${sasl.username} (SASL/SCRAM-SHA-512)` : ' (no SASL)';
  log(`waiting up to ${opts.timeout}s for ${opts.brokerList.join(',')}${as} (metadata via ${via})`);

  while (Date.now() < deadline) {
    if (opts.pid && !pidAlive(opts.pid)) {
      process.stderr.write(
        `[wait-for-kafka] broker process ${opts.pid} exited while waiting (last: ${lastError})\n`,
      );
      process.exit(3);
    }
    if (await portOpen(host, port)) {
      if (!portSeen) {
        portSeen = true;
        log(`port ${port} accepting after ${((Date.now() - started) / 1000).toFixed(1)}s`);
      }
      try {
        const info = kjs
          ? await kafkajsProbe(kjs, opts.brokerList, sasl)
          : await rawProbe(opts.brokerList, sasl);
        log(
          `ready after ${((Date.now() - started) / 1000).toFixed(1)}s: clusterId=${info.clusterId} brokers=${info.brokers} ` +
            `controller=${info.controller} topics=${info.topics}`,
        );
        return;
      } catch (e) {
        lastError = e && e.message ? e.message : String(e);
      }
    }
    await sleep(300);
  }
  process.stderr.write(
    `[wait-for-kafka] not ready after ${opts.timeout}s; last error: ${lastError}\n`,
  );
  process.exit(1);
}

async function anyKafka(opts, log) {
  const { host, port } = splitHostPort(opts.brokerList[0]);
  const deadline = Date.now() + opts.timeout * 1000;
  let lastError = 'port not accepting connections';
  while (Date.now() < deadline) {
    try {
      if (await rawApiVersions(host, port)) {
        log(`a Kafka broker answers ApiVersions on ${host}:${port}`);
        return;
      }
      lastError = 'ApiVersions answered with an error';
    } catch (e) {
      lastError = e && e.message ? e.message : String(e);
    }
    await sleep(300);
  }
  process.stderr.write(`[wait-for-kafka] no Kafka on ${host}:${port}: ${lastError}\n`);
  process.exit(1);
}

main().then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`[wait-for-kafka] ${e && e.stack ? e.stack : e}\n`);
    process.exit(1);
  },
);
