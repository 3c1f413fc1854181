import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TouchpointPublisher } from '@rapport/adapter-sdk';
import { SqliteEventStore } from '@rapport/event-store';
import { kafkaFromUrl, provisionTopics } from '@rapport/messaging';
import {
  describeWithServices,
  eventually,
  type PrivateKafka,
  type RunningProcess,
  startPrivateKafka,
  startService,
} from '@rapport/testing';
import { e2eWorkload } from './workload';

// Needs the Docker-free Kafka scripts (Java + Maven), which the shared Kafka proves work here.
describeWithServices(['kafka'], 'Kafka restarted in the middle of ingestion', () => {
  jest.setTimeout(600_000);
  const run = `restart${Date.now().toString(36)}`;
  const logPath = join(mkdtempSync(join(tmpdir(), 'rapport-restart-')), 'log.db');
  let broker: PrivateKafka;
  let ingestor: RunningProcess;

  beforeAll(async () => {
    broker = await startPrivateKafka(39092);
    await provisionTopics(kafkaFromUrl(broker.url, `${run}-admin`), '');
    ingestor = await startService('ingestor', {
      RAPPORT_BUS: broker.url,
      RAPPORT_EVENT_STORE: `sqlite:${logPath}`,
      RAPPORT_INGESTOR_GROUP: `${run}-ingestor`,
    });
  });

  afterAll(async () => {
    await ingestor?.stop();
    await broker?.dispose();
  });

  it('loses nothing that was acknowledged: every acknowledged touchpoint ends up in the log, once', async () => {
    const workload = e2eWorkload(run, 4000, 400);
    const publisher = new TouchpointPublisher({
      kafkaUrl: broker.url,
      clientId: `${run}-adapter`,
      source: 'e2e/restart',
      retries: 3,
    });
    await publisher.connect();
    const acknowledged = new Set<string>();
    let failures = 0;
    let restart: Promise<void> | null = null;
    const window = { down: Infinity, up: Infinity };
    const ackTimes: number[] = [];
    for (let i = 0; i < workload.length; i += 25) {
      const batch = workload.slice(i, i + 25);
      // A steady trickle, so that publishing spans the whole restart.
      await new Promise((r) => setTimeout(r, 80));
      // An adapter retries a batch until Kafka acknowledges it (ids make retries harmless).
      for (;;) {
        try {
          await publisher.publishBatch(batch);
          break;
        } catch {
          failures += 1;
          await new Promise((r) => setTimeout(r, 500));
        }
      }
      batch.forEach((t) => acknowledged.add(t.id));
      ackTimes.push(Date.now());
      if (i === 500) {
        restart = (async () => {
          window.down = Date.now();
          await broker.stop();
          await new Promise((r) => setTimeout(r, 2000));
          await broker.start();
          window.up = Date.now();
        })();
        await new Promise((r) => setTimeout(r, 300)); // let the stop begin while we keep publishing
      }
    }
    await restart;
    await publisher.disconnect();
    // The restart really happened in the middle: acknowledgements before it and after it.
    expect(ackTimes.filter((t) => t < window.down).length).toBeGreaterThan(10);
    expect(ackTimes.filter((t) => t > window.up).length).toBeGreaterThan(10);
    console.log(
      `kafka restart: ${failures} failed publish attempts retried by the adapter; broker down ${window.up - window.down} ms`,
    );

    const store = new SqliteEventStore({ path: logPath });
    try {
      const ids = await eventually(
        async () =>
          (await store.readAll()).map((e) => (e.metadata as { ce: { id: string } }).ce.id),
        (list) => list.length >= acknowledged.size,
        180_000,
        500,
      );
      const missing = [...acknowledged].filter((id) => !ids.includes(id));
      // When something is missing, what the ingestor said is the first thing to read.
      if (missing.length > 0)
        console.log(
          `the ingestor's last lines:\n${ingestor.output
            .filter((line) => !line.includes('ECONNREFUSED'))
            .slice(-60)
            .join('\n')}`,
        );
      expect(missing).toEqual([]);
      expect(ids.length).toBe(new Set(ids).size);
      expect(ids.length).toBe(acknowledged.size);
    } finally {
      await store.close();
    }
  });
});
