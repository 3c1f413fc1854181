/**
 * `node -r @swc-node/register bench/ingest/idle-fetch-cost.ts`: what a kafkajs consumer with
 * the ingestor's fetch settings costs the broker when there is nothing to consume, and what it
 * costs a touchpoint at a trickle and at a steady moderate rate (issue 21, ADR 0057).
 *
 * For each fetch setting `maxWaitTimeInMs:minBytes` (BENCH_FETCH_SETTINGS, default
 * `20:131072,50:131072,100:131072,500:131072,100:1,500:1,5000:1`) a bare kafkajs consumer
 * group (the ingestor's maxBytesPerPartition and partitionsConsumedConcurrently, no work per
 * batch) subscribes to the 56 touchpoint partitions of `infra/kafka/topics.json` under a
 * prefix of this run, and:
 *
 * - idle: for BENCH_IDLE_SECONDS (default 10) nothing is published; the broker's CPU (from
 *   /proc, `.local-services/kafka/kafka.pid`) and this process's are read before and after,
 *   and the consumer's fetch requests counted. The broker with no consumer of this run is
 *   measured the same way before each round (`none`): its own cost, and whatever else uses it.
 * - trickle: BENCH_TRICKLE (default 25) messages, one every 150–250 ms (uniformly at random),
 *   each on a random partition; the latency is from just before `producer.send` to the
 *   consumer's `eachBatch` seeing it.
 * - load: BENCH_LOAD_RATE messages per second (default 1000; 0 skips it) of 400 bytes for
 *   BENCH_LOAD_SECONDS (default 5), in sends every 10 ms, each partition batch with messages
 *   taking BENCH_BATCH_WORK_MS (default 5) of waiting, as the ingestor waits for its durable
 *   append: the rate reached, the fetches that brought messages per second (the ingestor
 *   makes about one group-committed append per such fetch) and the messages per such fetch,
 *   with the broker's CPU per second.
 *
 * BENCH_PRIVATE_KAFKA_PORT=<port> measures a broker of its own instead (started with
 * `infra/local/kafka.sh` on that port and the next, deleted at the end): then what other
 * sessions do with the shared broker does not count.
 *
 * BENCH_ROUNDS rounds (default 2) run every setting once each, odd rounds backwards; the
 * figures printed are the medians over rounds (latencies: over every message of every round).
 * Nothing is asserted. On the shared broker, a measurement during which another benchmark,
 * jest run or Rapport service ran (looked for once a second) is made again, after that one
 * ended. The topics and consumer groups of the run are deleted at the end.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { type Consumer, type Kafka, type Producer } from 'kafkajs';
import { kafkaFromUrl, provisionTopics, removeTopics, topicNames } from '@rapport/messaging';
import {
  median,
  obtainService,
  type PrivateKafka,
  processCpuSeconds,
  startPrivateKafka,
} from '@rapport/testing';

const REPO_ROOT = resolve(__dirname, '../..');
const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 10);
const TRICKLE = Number(process.env.BENCH_TRICKLE ?? 25);
const LOAD_RATE = Number(process.env.BENCH_LOAD_RATE ?? 1000);
const LOAD_SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 5);
const BATCH_WORK_MS = Number(process.env.BENCH_BATCH_WORK_MS ?? 5);
const PRIVATE_KAFKA_PORT = Number(process.env.BENCH_PRIVATE_KAFKA_PORT ?? 0);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const SETTINGS = (
  process.env.BENCH_FETCH_SETTINGS ?? '20:131072,50:131072,100:131072,500:131072,100:1,500:1,5000:1'
)
  .split(',')
  .map((s) => {
    const [maxWaitTimeInMs, minBytes] = s.split(':').map(Number);
    return { name: `${maxWaitTimeInMs} ms / ${minBytes} B`, maxWaitTimeInMs, minBytes };
  });

interface Figures {
  idleBrokerMsPerS: number;
  idleSelfMsPerS: number;
  idleFetchesPerS: number;
  trickleMs: number[];
  loadRate: number;
  loadFetchesPerS: number;
  loadMessagesPerFetch: number;
  loadBrokerMsPerS: number;
}

async function main(): Promise<void> {
  let kafkaUrl: string;
  let brokerPid: number | undefined;
  let privateKafka: PrivateKafka | null = null;
  if (PRIVATE_KAFKA_PORT) {
    console.log(`starting a private broker on port ${PRIVATE_KAFKA_PORT}`);
    privateKafka = await startPrivateKafka(PRIVATE_KAFKA_PORT);
    kafkaUrl = privateKafka.url;
    brokerPid = pidIn(join(privateKafka.credentialsDir, '..', 'kafka.pid'));
  } else {
    const kafkaService = await obtainService('kafka', (line) => console.log(line));
    if (!kafkaService.ok) throw new Error(kafkaService.reason);
    kafkaUrl = kafkaService.url;
    brokerPid = pidIn(join(REPO_ROOT, '.local-services/kafka/kafka.pid'));
  }
  try {
    if (!brokerPid) throw new Error('no kafka.pid: the broker is not local');
    await measureAll(kafkaUrl, brokerPid);
  } finally {
    await privateKafka?.dispose();
  }
}

async function measureAll(kafkaUrl: string, brokerPid: number): Promise<void> {
  const run = `idle-${Date.now().toString(36)}`;
  const prefix = `${run}.`;
  const kafka = kafkaFromUrl(kafkaUrl, 'bench-idle');
  await provisionTopics(kafka, prefix);
  const topics = topicNames(prefix).touchpoints;
  const producer = kafka.producer();
  await producer.connect();
  const results = new Map<string, Figures[]>();
  const none: number[] = [];
  const noneSelf: number[] = [];
  const groups: string[] = [];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      await sleep(2000);
      const alone = await undisturbed(async () => {
        const selfBefore = process.cpuUsage();
        const startedAt = performance.now();
        const broker = await cpuOver(brokerPid, IDLE_SECONDS);
        const self = process.cpuUsage(selfBefore);
        return { broker, self: (self.user + self.system) / (performance.now() - startedAt) };
      });
      none.push(alone.broker);
      noneSelf.push(alone.self);
      console.log(
        `round ${round + 1}: no consumer: broker ${none[none.length - 1].toFixed(1)} ms/s, this process ${noneSelf[noneSelf.length - 1].toFixed(1)} ms/s`,
      );
      const order = round % 2 ? [...SETTINGS].reverse() : SETTINGS;
      for (const setting of order) {
        const groupId = () => {
          const id = `${run}-${round}-${setting.maxWaitTimeInMs}-${setting.minBytes}-${groups.length}`;
          groups.push(id);
          return id;
        };
        const figures = await undisturbed(() =>
          measure(kafka, producer, topics, groupId(), setting, brokerPid),
        );
        console.log(`round ${round + 1}: ${setting.name}: ${describe([figures])}`);
        results.set(setting.name, [...(results.get(setting.name) ?? []), figures]);
      }
    }
  } finally {
    await producer.disconnect();
    await removeTopics(kafka, prefix).catch(() => undefined);
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteGroups(groups).catch(() => undefined);
    await admin.disconnect();
  }

  console.log(
    `\nmedians of ${ROUNDS} round(s); idle ${IDLE_SECONDS} s, trickle ${TRICKLE} messages, load ${LOAD_RATE}/s for ${LOAD_SECONDS} s`,
  );
  console.log(
    `no consumer: broker ${median(none).toFixed(1)} ms/s, this process ${median(noneSelf).toFixed(1)} ms/s`,
  );
  for (const setting of SETTINGS)
    console.log(`${setting.name}: ${describe(results.get(setting.name) ?? [])}`);
}

function describe(rounds: Figures[]): string {
  const m = (pick: (f: Figures) => number) => median(rounds.map(pick));
  const trickle = rounds.flatMap((f) => f.trickleMs).sort((a, b) => a - b);
  const p90 = trickle[Math.min(trickle.length - 1, Math.floor(trickle.length * 0.9))];
  return [
    `idle broker ${m((f) => f.idleBrokerMsPerS).toFixed(1)} ms/s`,
    `consumer ${m((f) => f.idleSelfMsPerS).toFixed(1)} ms/s`,
    `${m((f) => f.idleFetchesPerS).toFixed(1)} fetches/s`,
    `trickle median ${median(trickle).toFixed(1)} ms, p90 ${p90?.toFixed(1)} ms, max ${trickle[trickle.length - 1]?.toFixed(1)} ms`,
    ...(LOAD_RATE > 0
      ? [
          `load ${m((f) => f.loadRate).toFixed(0)} messages/s: ${m((f) => f.loadFetchesPerS).toFixed(1)} fetches with messages/s`,
          `${m((f) => f.loadMessagesPerFetch).toFixed(1)} messages/fetch`,
          `broker ${m((f) => f.loadBrokerMsPerS).toFixed(1)} ms/s`,
        ]
      : []),
  ].join('; ');
}

async function measure(
  kafka: Kafka,
  producer: Producer,
  topics: readonly string[],
  groupId: string,
  setting: { name: string; maxWaitTimeInMs: number; minBytes: number },
  brokerPid: number,
): Promise<Figures> {
  // The ingestor's consumer, but for the two settings measured.
  const consumer: Consumer = kafka.consumer({
    groupId,
    maxBytesPerPartition: 8 * 1024 * 1024,
    minBytes: setting.minBytes,
    maxWaitTimeInMs: setting.maxWaitTimeInMs,
  });
  let fetches = 0;
  let fetchesWithMessages = 0;
  let fetchHadMessages = false;
  let messages = 0;
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  let loading = false;
  let firstFetch: () => void = () => undefined;
  const fetched = new Promise<void>((r) => (firstFetch = r));
  consumer.on(consumer.events.FETCH, () => {
    fetches += 1;
    fetchHadMessages = false;
    firstFetch();
  });
  await consumer.connect();
  // New group, latest offsets: it sees only what this setting's run publishes.
  await consumer.subscribe({ topics: [...topics], fromBeginning: false });
  await consumer.run({
    partitionsConsumedConcurrently: 8,
    eachBatch: async ({ batch }) => {
      const now = performance.now();
      if (batch.messages.length === 0) return;
      if (!fetchHadMessages) fetchesWithMessages += 1;
      fetchHadMessages = true;
      messages += batch.messages.length;
      for (const message of batch.messages) {
        const id = message.key?.toString() ?? '';
        const sent = sentAt.get(id);
        if (sent !== undefined) {
          latencies.push(now - sent);
          sentAt.delete(id);
        }
      }
      if (loading && BATCH_WORK_MS > 0) await sleep(BATCH_WORK_MS);
    },
  });
  await fetched;
  await sleep(Math.max(2000, 2 * setting.maxWaitTimeInMs));

  // Idle: nothing published.
  const fetchesBefore = fetches;
  const selfBefore = process.cpuUsage();
  const startedAt = performance.now();
  const idleBrokerMsPerS = await cpuOver(brokerPid, IDLE_SECONDS);
  const seconds = (performance.now() - startedAt) / 1000;
  const self = process.cpuUsage(selfBefore);
  const idleSelfMsPerS = (self.user + self.system) / 1000 / seconds;
  const idleFetchesPerS = (fetches - fetchesBefore) / seconds;

  // Trickle: one message every 150–250 ms.
  for (let i = 0; i < TRICKLE; i++) {
    const id = `trickle-${i}`;
    const topic = topics[Math.floor(Math.random() * topics.length)];
    sentAt.set(id, performance.now());
    await producer.send({
      topic,
      messages: [{ key: id, value: 'x', partition: Math.floor(Math.random() * 8) }],
    });
    await sleep(150 + Math.random() * 100);
  }
  await until(() => sentAt.size === 0, 10_000);

  // Load: LOAD_RATE messages per second for LOAD_SECONDS.
  let loadRate = Number.NaN;
  let loadFetchesPerS = Number.NaN;
  let loadMessagesPerFetch = Number.NaN;
  let loadBrokerMsPerS = Number.NaN;
  if (LOAD_RATE > 0) {
    const value = randomBytes(300).toString('base64'); // 400 bytes, about a touchpoint
    const total = Math.round(LOAD_RATE * LOAD_SECONDS);
    const messagesBefore = messages;
    const withMessagesBefore = fetchesWithMessages;
    const brokerBefore = cpuSeconds(brokerPid);
    loading = true;
    const started = performance.now();
    let sent = 0;
    while (sent < total) {
      // What is due by now, so that a slow send is made up by the next one.
      const due = Math.min(total, Math.round(((performance.now() - started) / 1000) * LOAD_RATE));
      const byTopic = new Map<string, { key: string; value: string }[]>();
      for (; sent < due; sent++) {
        const topic = topics[sent % topics.length];
        byTopic.set(topic, [...(byTopic.get(topic) ?? []), { key: `load-${sent}`, value }]);
      }
      if (byTopic.size > 0)
        await producer.sendBatch({
          topicMessages: [...byTopic].map(([topic, batch]) => ({ topic, messages: batch })),
        });
      await sleep(10);
    }
    await until(() => messages - messagesBefore >= total, 30_000);
    const elapsed = (performance.now() - started) / 1000;
    loading = false;
    loadRate = total / elapsed;
    loadBrokerMsPerS = ((cpuSeconds(brokerPid) - brokerBefore) * 1000) / elapsed;
    const withMessages = fetchesWithMessages - withMessagesBefore;
    loadFetchesPerS = withMessages / elapsed;
    loadMessagesPerFetch = (messages - messagesBefore) / withMessages;
  }
  await consumer.disconnect();
  return {
    idleBrokerMsPerS,
    idleSelfMsPerS,
    idleFetchesPerS,
    trickleMs: latencies,
    loadRate,
    loadFetchesPerS,
    loadMessagesPerFetch,
    loadBrokerMsPerS,
  };
}

/**
 * On the shared broker, runs a measurement again (up to 10 times) while another benchmark, test run or Rapport
 * service runs on the machine (looked for once a second): this one shares the machine and the
 * broker, and the broker's CPU would be theirs as much as ours.
 */
async function undisturbed<T>(measurement: () => Promise<T>): Promise<T> {
  if (PRIVATE_KAFKA_PORT) return measurement();
  for (let attempt = 1; ; attempt++) {
    while (othersRunning().length > 0) await sleep(5000);
    let seen: string[] = [];
    const watch = setInterval(() => {
      if (seen.length === 0) seen = othersRunning();
    }, 1000);
    try {
      const result = await measurement();
      if (seen.length === 0 || attempt === 10) return result;
      console.log(`  (measured again: ${seen[0].slice(0, 100)} ran meanwhile)`);
    } finally {
      clearInterval(watch);
    }
  }
}

/** The command lines of other benchmarks, jest runs and Rapport services on this machine. */
function othersRunning(): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid) || Number(pid) === process.pid) continue;
    try {
      const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (
        /bench\/.*\.ts|rapport-service|jest/.test(command) &&
        !command.includes('idle-fetch-cost')
      )
        found.push(command);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/** The broker's CPU milliseconds per second over the next `seconds`. */
async function cpuOver(pid: number, seconds: number): Promise<number> {
  const before = cpuSeconds(pid);
  const started = performance.now();
  await sleep(seconds * 1000);
  const elapsed = (performance.now() - started) / 1000;
  return ((cpuSeconds(pid) - before) * 1000) / elapsed;
}

/** The process id in a broker's pid file (infra/local), or undefined. */
function pidIn(file: string): number | undefined {
  return existsSync(file) ? Number(readFileSync(file, 'utf8').trim()) : undefined;
}

/** CPU seconds the broker has used so far; a broker gone is an error, not a NaN figure. */
function cpuSeconds(pid: number): number {
  const seconds = processCpuSeconds(pid);
  if (Number.isNaN(seconds)) throw new Error(`process ${pid}: no CPU figures in /proc (gone?)`);
  return seconds;
}

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not seen within ${timeoutMs} ms`);
    await sleep(5);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
