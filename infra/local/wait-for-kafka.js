#!/usr/bin/env node
'use strict';
// Waits until a Kafka broker is really usable: the port accepts connections AND a metadata
// round trip succeeds (kafkajs admin.describeCluster() + listTopics()).
//
// Usage: node infra/local/wait-for-kafka.js [--brokers 127.0.0.1:9092] [--timeout 90]
//                                           [--pid <broker pid>] [--client auto|kafkajs|raw] [--quiet]
//
// --pid      give up at once (exit 3) when that process has exited (the broker crashed).
// --client   auto (default): kafkajs when it can be found (repo node_modules, then NODE_PATH),
//            otherwise a built-in Metadata v1 request over a plain socket, so that
//            `kafka.sh start` works before kafkajs is a dependency of the repository.
// Exit codes: 0 ready, 1 timed out, 2 bad usage / kafkajs missing with --client kafkajs,
//             3 the --pid process exited.

const net = require('net');
const { loadKafkajs } = require('./kafka/load-kafkajs');

function parseArgs(argv) {
  const opts = {
    brokers: process.env.KAFKA_BROKERS || `127.0.0.1:${process.env.KAFKA_PORT || 9092}`,
    timeout: Number(process.env.KAFKA_START_TIMEOUT || 90),
    pid: null,
    client: process.env.KAFKA_WAIT_CLIENT || 'auto',
    quiet: false,
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
async function kafkajsProbe(kjs, brokerList) {
  const { Kafka, logLevel } = kjs.kafkajs;
  const kafka = new Kafka({
    clientId: 'rapport-wait-for-kafka',
    brokers: brokerList,
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

// ---- metadata round trip without dependencies (Metadata request v1) ---------------------
function rawMetadata(host, port, timeoutMs = 5000) {
  return new Promise((resolve, reject) => {
    const clientId = Buffer.from('rapport-wait-for-kafka');
    const correlationId = Math.floor(Math.random() * 0x7fffffff);
    const body = Buffer.alloc(2 + 2 + 4 + 2 + clientId.length + 4);
    let o = 0;
    o = body.writeInt16BE(3, o); // api_key Metadata
    o = body.writeInt16BE(1, o); // api_version 1
    o = body.writeInt32BE(correlationId, o);
    o = body.writeInt16BE(clientId.length, o);
    o += clientId.copy(body, o);
    body.writeInt32BE(-1, o); // topics: null = all topics
    const size = Buffer.alloc(4);
    size.writeInt32BE(body.length, 0);

    const sock = net.connect({ host, port });
    let buf = Buffer.alloc(0);
    const fail = (err) => {
      sock.destroy();
      reject(err);
    };
    sock.setTimeout(timeoutMs, () => fail(new Error('metadata request timed out')));
    sock.once('error', fail);
    sock.once('close', () => reject(new Error('connection closed before a metadata response')));
    sock.once('connect', () => sock.write(Buffer.concat([size, body])));
    sock.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      if (buf.length < 4 || buf.length < 4 + buf.readInt32BE(0)) return;
      sock.removeAllListeners('close');
      sock.destroy();
      try {
        resolve(parseMetadataV1(buf.subarray(4, 4 + buf.readInt32BE(0)), correlationId));
      } catch (e) {
        reject(e);
      }
    });
  });
}

function parseMetadataV1(b, correlationId) {
  let o = 0;
  const i16 = () => ((o += 2), b.readInt16BE(o - 2));
  const i32 = () => ((o += 4), b.readInt32BE(o - 4));
  const str = () => {
    const len = i16();
    if (len < 0) return null;
    o += len;
    return b.toString('utf8', o - len, o);
  };
  if (i32() !== correlationId) throw new Error('correlation id mismatch');
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

async function rawProbe(brokerList) {
  const { host, port } = splitHostPort(brokerList[0]);
  const md = await rawMetadata(host, port);
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
  log(`waiting up to ${opts.timeout}s for ${opts.brokerList.join(',')} (metadata via ${via})`);

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
          ? await kafkajsProbe(kjs, opts.brokerList)
          : await rawProbe(opts.brokerList);
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

main().then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`[wait-for-kafka] ${e && e.stack ? e.stack : e}\n`);
    process.exit(1);
  },
);
