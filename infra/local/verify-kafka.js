#!/usr/bin/env node
'use strict';
// End-to-end check of the local Kafka broker with kafkajs (the client the app will use).
//
//   1. create a topic with 4 partitions (waits for leaders) and check its metadata;
//   2. produce 1000 messages with an idempotent producer (idempotent: true, maxInFlightRequests: 1);
//   3. consume them all in a consumer group (autoCommit off, offsets committed per batch),
//      with no duplicates, and check the committed offsets equal the high watermarks;
//   4. restart the broker with `infra/local/kafka.sh stop` + `start` (no --fresh) and check that the
//      topic, its 4 partitions, its 1000 records and the group's committed offsets survived;
//   5. join the same group again (fromBeginning: true), produce 10 more messages and check that
//      exactly those 10 arrive, i.e. the group resumed from its committed offsets;
//   6. delete the topic (unless --keep).
//
// Usage: node infra/local/verify-kafka.js [--brokers 127.0.0.1:9092] [--messages 1000]
//                                         [--partitions 4] [--no-restart] [--keep]
//                                         [--username admin] [--password-file <file>]
// Authenticates with SASL/SCRAM-SHA-512 as the admin of this state directory
// (<state>/kafka/credentials/admin.password), or as --username with --password-file.
// Needs kafkajs: the repo's node_modules, or NODE_PATH (npm i kafkajs@2.2.4 --prefix /tmp/kjs;
// NODE_PATH=/tmp/kjs/node_modules). Exits non-zero on any failure.

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

const path = require('path');
const { spawnSync } = require('child_process');
const { loadKafkajs } = require('./kafka/load-kafkajs');
const { saslOptions } = require('./kafka/credentials');

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : dflt;
};
const brokers = opt('--brokers', `127.0.0.1:${process.env.KAFKA_PORT || 9092}`).split(',');
const MESSAGES = Number(opt('--messages', 1000));
const PARTITIONS = Number(opt('--partitions', 4));
const RESTART = !args.includes('--no-restart');
const KEEP = args.includes('--keep');
const SASL = saslOptions({ username: opt('--username'), passwordFile: opt('--password-file') });

const loaded = loadKafkajs();
if (!loaded) {
  console.error(
    '[verify-kafka] kafkajs not found in the repo node_modules or NODE_PATH.\n' +
      '  npm i kafkajs@2.2.4 --prefix /tmp/kjs && NODE_PATH=/tmp/kjs/node_modules node infra/local/verify-kafka.js',
  );
  process.exit(2);
}
const { Kafka, logLevel } = loaded.kafkajs;

const runId = `${Date.now()}-${process.pid}`;
const TOPIC = `rapport-verify-${runId}`;
const GROUP = `rapport-verify-group-${runId}`;
const timings = {};
const t0 = Date.now();
const since = (t) => Number(((Date.now() - t) / 1000).toFixed(2));
const log = (m) => console.log(`[verify-kafka +${since(t0).toFixed(1)}s] ${m}`);

function assert(cond, msg) {
  if (!cond) throw new Error(`assertion failed: ${msg}`);
}

function newKafka() {
  return new Kafka({
    clientId: 'rapport-verify-kafka',
    brokers,
    ...(SASL ? { sasl: SASL } : {}),
    logLevel: logLevel.WARN,
    connectionTimeout: 5000,
    requestTimeout: 30000,
    retry: { retries: 8, initialRetryTime: 200 },
  });
}

async function withTimeout(promise, ms, what) {
  let timer;
  try {
    return await Promise.race([
      promise,
      new Promise((_, rej) => {
        timer = setTimeout(() => rej(new Error(`timed out after ${ms / 1000}s: ${what}`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

const sumOffsets = (list, field) => list.reduce((acc, p) => acc + Number(p[field]), 0);

async function produce(kafka, count, prefix) {
  // Idempotent producers want unlimited retries (kafkajs warns otherwise); withTimeout bounds the wait.
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 100, maxRetryTime: 2000 },
  });
  await producer.connect();
  try {
    const batch = 100;
    for (let i = 0; i < count; i += batch) {
      const messages = [];
      for (let j = i; j < Math.min(i + batch, count); j++) {
        messages.push({
          key: `key-${j % 97}`,
          value: `${prefix}-${j}`,
          headers: { seq: String(j) },
        });
      }
      await producer.send({ topic: TOPIC, messages });
    }
  } finally {
    await producer.disconnect();
  }
}

// Consumes until `expected` distinct values were seen; commits after every batch.
async function consume(kafka, expected, { settleMs = 0, timeoutMs = 60000 } = {}) {
  // maxWaitTimeInMs bounds the fetch long-poll, which disconnect() waits for (kafkajs default 5000).
  const consumer = kafka.consumer({
    groupId: GROUP,
    allowAutoTopicCreation: false,
    maxWaitTimeInMs: 500,
  });
  let firstMessageAt = null;
  const seen = new Map();
  let joinedAt = null;
  const started = Date.now();
  consumer.on(consumer.events.GROUP_JOIN, () => {
    joinedAt = Date.now();
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [TOPIC], fromBeginning: true });
  let done;
  const finished = new Promise((resolve) => {
    done = resolve;
  });
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
      if (!firstMessageAt) firstMessageAt = Date.now();
      for (const m of batch.messages) {
        const v = m.value.toString();
        seen.set(v, (seen.get(v) || 0) + 1);
        resolveOffset(m.offset);
      }
      await consumer.commitOffsets([
        {
          topic: batch.topic,
          partition: batch.partition,
          offset: (BigInt(batch.lastOffset()) + 1n).toString(),
        },
      ]);
      await heartbeat();
      if (seen.size >= expected) done();
    },
  });
  try {
    await withTimeout(finished, timeoutMs, `consuming ${expected} messages (got ${seen.size})`);
    if (settleMs) await new Promise((r) => setTimeout(r, settleMs)); // anything unexpected would show up here
  } finally {
    await consumer.disconnect();
  }
  return {
    seen,
    joinSeconds: joinedAt ? (joinedAt - started) / 1000 : null,
    firstMessageSeconds: firstMessageAt ? (firstMessageAt - started) / 1000 : null,
    seconds: since(started),
  };
}

function kafkaSh(sub) {
  const script = path.join(__dirname, 'kafka.sh');
  const t = Date.now();
  const r = spawnSync(script, [sub], { stdio: ['ignore', 'inherit', 'inherit'], env: process.env });
  if (r.status !== 0) throw new Error(`kafka.sh ${sub} exited with ${r.status}`);
  return since(t);
}

async function checkCommitted(admin, expectedTotal) {
  const [t] = await admin.fetchOffsets({ groupId: GROUP, topics: [TOPIC] });
  const committed = t.partitions;
  const hw = await admin.fetchTopicOffsets(TOPIC);
  for (const p of hw) {
    const c = committed.find((x) => x.partition === p.partition);
    assert(
      c && c.offset === p.high,
      `partition ${p.partition}: committed ${c && c.offset} != high watermark ${p.high}`,
    );
  }
  const total = sumOffsets(committed, 'offset');
  assert(total === expectedTotal, `committed offsets sum to ${total}, expected ${expectedTotal}`);
  return committed.map((p) => `${p.partition}:${p.offset}`).join(' ');
}

async function main() {
  const as = SASL ? `as ${SASL.username} (SASL/SCRAM-SHA-512)` : 'without SASL';
  log(
    `kafkajs ${loaded.version} (${loaded.path}); brokers ${brokers.join(',')} ${as}; topic ${TOPIC}`,
  );
  let kafka = newKafka();
  let admin = kafka.admin();
  await admin.connect();

  let t = Date.now();
  const created = await admin.createTopics({
    topics: [{ topic: TOPIC, numPartitions: PARTITIONS, replicationFactor: 1 }],
    waitForLeaders: true,
  });
  assert(created, 'createTopics returned false (topic already existed)');
  const md = await admin.fetchTopicMetadata({ topics: [TOPIC] });
  assert(md.topics[0].partitions.length === PARTITIONS, `expected ${PARTITIONS} partitions`);
  timings.createTopic = since(t);
  log(`created topic with ${PARTITIONS} partitions in ${timings.createTopic}s`);

  t = Date.now();
  await withTimeout(produce(kafka, MESSAGES, 'm'), 60000, `producing ${MESSAGES} messages`);
  timings.produce = since(t);
  const hw = await admin.fetchTopicOffsets(TOPIC);
  const total = sumOffsets(hw, 'high');
  assert(total === MESSAGES, `high watermarks sum to ${total}, expected ${MESSAGES}`);
  assert(
    hw.every((p) => Number(p.high) > 0),
    'some partition received no messages',
  );
  log(
    `produced ${MESSAGES} messages (idempotent) in ${timings.produce}s; per partition: ${hw.map((p) => `${p.partition}:${p.high}`).join(' ')}`,
  );

  const first = await consume(kafka, MESSAGES);
  const dups = [...first.seen.values()].filter((n) => n > 1).length;
  assert(
    first.seen.size === MESSAGES,
    `consumed ${first.seen.size} distinct messages, expected ${MESSAGES}`,
  );
  assert(dups === 0, `${dups} messages were delivered more than once`);
  for (let i = 0; i < MESSAGES; i++) assert(first.seen.has(`m-${i}`), `message m-${i} missing`);
  timings.firstGroupJoin = first.joinSeconds;
  timings.consumeAll = first.seconds;
  log(
    `consumed all ${MESSAGES} (no duplicates) in ${first.seconds}s; first group join took ${first.joinSeconds}s`,
  );
  const committedBefore = await checkCommitted(admin, MESSAGES);
  log(`committed offsets == high watermarks: ${committedBefore}`);

  if (RESTART) {
    await admin.disconnect();
    log('restarting the broker: kafka.sh stop + kafka.sh start (no --fresh)');
    timings.stop = kafkaSh('stop');
    timings.startAfterStop = kafkaSh('start');
    kafka = newKafka();
    admin = kafka.admin();
    await admin.connect();
    const topics = await admin.listTopics();
    assert(topics.includes(TOPIC), 'topic is gone after restart');
    const md2 = await admin.fetchTopicMetadata({ topics: [TOPIC] });
    assert(md2.topics[0].partitions.length === PARTITIONS, 'partition count changed after restart');
    const hw2 = await admin.fetchTopicOffsets(TOPIC);
    assert(sumOffsets(hw2, 'high') === MESSAGES, 'records lost across restart');
    const committedAfter = await checkCommitted(admin, MESSAGES);
    assert(
      committedAfter === committedBefore,
      `committed offsets changed: ${committedBefore} -> ${committedAfter}`,
    );
    log(
      `after restart: topic, ${PARTITIONS} partitions, ${MESSAGES} records and committed offsets intact (${committedAfter})`,
    );
  }

  // Resume from the committed offsets: only the new messages may arrive.
  const EXTRA = 10;
  const resumed = consume(kafka, EXTRA, { settleMs: 1500 });
  await new Promise((r) => setTimeout(r, 500));
  t = Date.now();
  await withTimeout(produce(kafka, EXTRA, 'extra'), 60000, `producing ${EXTRA} messages`);
  timings.produceAfterRestart = since(t);
  const second = await resumed;
  const unexpected = [...second.seen.keys()].filter((v) => !v.startsWith('extra-'));
  assert(
    unexpected.length === 0,
    `group re-read ${unexpected.length} old messages (e.g. ${unexpected[0]})`,
  );
  assert(second.seen.size === EXTRA, `expected ${EXTRA} new messages, got ${second.seen.size}`);
  await checkCommitted(admin, MESSAGES + EXTRA);
  timings.resumeGroupJoin = second.joinSeconds;
  log(
    `group resumed from committed offsets: received exactly the ${EXTRA} new messages ` +
      `(join ${second.joinSeconds}s, produce ${timings.produceAfterRestart}s, first message ${second.firstMessageSeconds}s)`,
  );

  if (!KEEP) {
    await admin.deleteTopics({ topics: [TOPIC] });
    await admin.deleteGroups([GROUP]).catch(() => {});
  }
  await admin.disconnect();
  timings.total = since(t0);
  console.log(`[verify-kafka] OK ${JSON.stringify(timings)}`);
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(`[verify-kafka] FAILED: ${e && e.stack ? e.stack : e}`);
    process.exit(1);
  },
);
