import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { describeWithServices } from '@rapport/testing';
import { type ExpectedRevision, type NewEvent, type RecordedEvent } from '../event-store';
import { PostgresEventStore } from './postgres-event-store';

const WRITERS = 8;
const EVENTS_PER_WRITER = 5000;
/**
 * Each cycle of a writer: this many single-event appends (the first to a stream all the
 * writers share), then one batch: 4,000 single-event appends and 800 batches in all.
 */
const SINGLES_PER_CYCLE = 5;
const BATCH_SIZE = 45;

interface Tick {
  readonly w: number;
  readonly seq: number;
}

const tick = (w: number, seq: number): NewEvent => ({
  id: randomUUID(),
  type: 'gap.tick.v1',
  data: { w, seq },
});

/**
 * THE GAP TEST. Positions must be gap-free and in commit order, or a subscriber that has
 * read up to position N can later miss an event that commits below N. That can only show
 * with writers that really run at once: each writer here has its own store (its own pool,
 * its own connection), so their transactions interleave in PostgreSQL, and a subscriber on
 * yet another store follows the log live from before the first append.
 */
describeWithServices(['postgres'], 'PostgreSQL event store: gap-free positions', (urls) => {
  const schema = `es_gap_${randomBytes(4).toString('hex')}`;
  const stores: PostgresEventStore[] = [];
  const open = async (poolSize: number, s = schema) => {
    const store = await PostgresEventStore.open({
      connectionString: urls.postgres,
      schema: s,
      poolSize,
    });
    stores.push(store);
    return store;
  };

  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close()));
    const client = new Client({ connectionString: urls.postgres });
    await client.connect();
    try {
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.query(`DROP SCHEMA IF EXISTS "${schema}_bench" CASCADE`);
    } finally {
      await client.end();
    }
  });

  it(`${WRITERS} concurrent writers × ${EVENTS_PER_WRITER} events: a live subscriber sees every event once, positions contiguous, each writer's order kept`, async () => {
    const total = WRITERS * EVENTS_PER_WRITER;
    const reader = await open(2);
    const writers = await Promise.all(Array.from({ length: WRITERS }, () => open(1)));

    // The subscriber checks continuity as it goes, and keeps what it needs for the end.
    const seenIds = new Set<string>();
    const lastSeq = new Array<number>(WRITERS).fill(-1);
    const problems: string[] = [];
    let lastPosition = 0;
    let delivered = 0;
    let deliveredWhileWriting = 0;
    let writing = true;
    let resolveAll!: () => void;
    const all = new Promise<void>((r) => (resolveAll = r));
    const sub = reader.subscribeToAll(
      {},
      {
        onEvents(events: readonly RecordedEvent[]) {
          for (const event of events) {
            if (event.position !== lastPosition + 1)
              problems.push(`position ${event.position} after ${lastPosition}`);
            lastPosition = event.position;
            if (seenIds.has(event.id)) problems.push(`event ${event.id} delivered twice`);
            seenIds.add(event.id);
            const { w, seq } = event.data as Tick;
            if (seq !== lastSeq[w] + 1)
              problems.push(
                `writer ${w}: seq ${seq} after ${lastSeq[w]} (position ${event.position})`,
              );
            lastSeq[w] = seq;
          }
          delivered += events.length;
          if (writing) deliveredWhileWriting = delivered;
          if (delivered >= total) resolveAll();
        },
      },
    );

    // What each append answered: the position it says each event got.
    const answered = new Map<string, number>();
    const note = (events: readonly { id: string; position: number }[]) => {
      for (const e of events) answered.set(e.id, e.position);
    };
    const started = performance.now();
    let transactions = 0;
    let singleAppends = 0;
    await Promise.all(
      writers.map(async (store, w) => {
        // Each writer owns its streams and passes the exact expected revision: under
        // concurrency with the other writers that must never be refused. One stream is
        // shared by all: a writer's first append to it expects any (numbered under the
        // lock), the next ones expect it to exist, which is checked on a look-up, so
        // those plans go stale and are redone under the lock while the others write.
        const revisions = new Map<string, number>();
        const stream = (k: number) => `gap-w${w}-s${k}`;
        const expected = (s: string): ExpectedRevision => revisions.get(s) ?? 'no_stream';
        let seq = 0;
        for (let cycle = 0; seq < EVENTS_PER_WRITER; cycle += 1) {
          for (let i = 0; i < SINGLES_PER_CYCLE && seq < EVENTS_PER_WRITER; i += 1) {
            if (i === 0) {
              const shared = cycle === 0 ? 'any' : 'stream_exists';
              note((await store.append('gap-shared', [tick(w, seq)], shared)).events);
            } else {
              const s = stream(seq % 3);
              const result = await store.append(s, [tick(w, seq)], expected(s));
              revisions.set(s, result.nextExpectedRevision);
              note(result.events);
            }
            seq += 1;
            singleAppends += 1;
            transactions += 1;
          }
          const size = Math.min(BATCH_SIZE, EVENTS_PER_WRITER - seq);
          if (size === 0) break;
          const batch = Array.from({ length: size }, (_, i) => tick(w, seq + i));
          seq += size;
          transactions += 1;
          if (cycle % 2 === 0) {
            const s = stream(3);
            const result = await store.append(s, batch, expected(s));
            revisions.set(s, result.nextExpectedRevision);
            note(result.events);
          } else {
            // appendMany: four requests to four streams, one transaction; the writer's order
            // is the order of the requests.
            const quarter = Math.ceil(size / 4);
            const requests = [0, 1, 2, 3]
              .map((k) => ({
                streamId: stream(4 + k),
                events: batch.slice(k * quarter, (k + 1) * quarter),
              }))
              .filter((r) => r.events.length > 0)
              .map((r) => ({ ...r, expectedRevision: expected(r.streamId) }));
            const outcomes = await store.appendMany(requests);
            outcomes.forEach((outcome, k) => {
              if (!outcome.ok) throw outcome.error;
              revisions.set(requests[k].streamId, outcome.result.nextExpectedRevision);
              note(outcome.result.events);
            });
          }
        }
      }),
    );
    const written = performance.now();
    writing = false;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      all,
      new Promise((_, reject) => {
        const report = () =>
          `the subscriber saw ${delivered} of ${total} events; ${problems.length} problems: ${problems.slice(0, 5).join('; ')}`;
        timer = setTimeout(() => reject(new Error(report())), 20000);
      }),
    ]).finally(() => clearTimeout(timer));
    const received = performance.now();
    await sub.stop();

    const seconds = (written - started) / 1000;
    const rewrites = writers.reduce((sum, store) => sum + store.stats().rewritesUnderLock, 0);
    console.log(
      `gap test: ${WRITERS} writers wrote ${total} events in ${transactions} transactions ` +
        `(${singleAppends} single-event appends; ${rewrites} redone under the lock) in ${seconds.toFixed(1)} s = ` +
        `${Math.round(total / seconds)} events/s, ${Math.round(transactions / seconds)} transactions/s; ` +
        `the live subscriber had all of them ${Math.round(received - written)} ms after the last append ` +
        `(${deliveredWhileWriting} delivered while the writers were still writing)`,
    );

    expect(problems).toEqual([]);
    expect(delivered).toBe(total);
    expect(seenIds.size).toBe(total);
    expect(lastPosition).toBe(total);
    expect(lastSeq).toEqual(new Array(WRITERS).fill(EVENTS_PER_WRITER - 1));
    // Both write paths ran: the shared stream made some plans stale.
    expect(rewrites).toBeGreaterThan(0);
    expect((await reader.readStream('gap-shared')).length).toBe(
      (EVENTS_PER_WRITER / (SINGLES_PER_CYCLE + BATCH_SIZE)) * WRITERS,
    );
    // It was a live subscription, not a read after the fact.
    expect(deliveredWhileWriting).toBeGreaterThan(0);
    expect(await reader.headPosition()).toBe(total);
    // What the subscriber saw is the log as it is stored.
    const log: string[] = [];
    for (let after = 0; after < total; after = log.length) {
      const page = await reader.readAll({ after, maxCount: 10000 });
      log.push(...page.map((e) => e.id));
    }
    expect(log).toEqual([...seenIds]);
    // And every append answered the position its events really have.
    expect(answered.size).toBe(total);
    expect(log.every((id, i) => answered.get(id) === i + 1)).toBe(true);
  }, 120000);

  it('append throughput: 8 concurrent writers of single events; one writer of large batches', async () => {
    const bench = `${schema}_bench`;
    const writers = await Promise.all(Array.from({ length: WRITERS }, () => open(1, bench)));
    const durationMs = 3000;
    const deadline = performance.now() + durationMs;
    const counts = await Promise.all(
      writers.map(async (store, w) => {
        let n = 0;
        while (performance.now() < deadline) {
          await store.append(`bench-${w}-${n % 10}`, [tick(w, n)]);
          n += 1;
        }
        return n;
      }),
    );
    const singles = counts.reduce((a, b) => a + b, 0);
    const singleRate = singles / (durationMs / 1000);

    const batches = 20;
    const perBatch = 500;
    const started = performance.now();
    for (let b = 0; b < batches; b += 1) {
      const outcomes = await writers[0].appendMany(
        Array.from({ length: perBatch / 10 }, (_, r) => ({
          streamId: `bench-batch-${r}`,
          events: Array.from({ length: 10 }, (_, i) => tick(0, b * perBatch + r * 10 + i)),
          expectedRevision: 'any' as const,
        })),
      );
      expect(outcomes.every((o) => o.ok)).toBe(true);
    }
    const batchRate = (batches * perBatch) / ((performance.now() - started) / 1000);
    console.log(
      `append throughput: ${WRITERS} concurrent writers, one event per append: ${singles} appends in ` +
        `${durationMs / 1000} s = ${Math.round(singleRate)} appends/s; one writer, appendMany of ` +
        `${perBatch} events: ${Math.round(batchRate)} events/s`,
    );

    // Every writer got through, and the log stayed gap-free.
    expect(counts.every((n) => n > 0)).toBe(true);
    const head = await writers[0].headPosition();
    expect(head).toBe(singles + batches * perBatch);
    const log = await writers[0].readAll();
    expect(log).toHaveLength(head);
    expect(log.every((e, i) => e.position === i + 1)).toBe(true);
  }, 60000);
});
