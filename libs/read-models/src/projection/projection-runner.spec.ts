import { setTimeout as sleep } from 'node:timers/promises';
import { type RecordedEvent, SqliteEventStore } from '@rapport/event-store';
import { CheckpointMismatchError, type CheckpointRange } from './checkpoint';
import { ProjectionRunner, type ProjectionTarget } from './projection-runner';

/**
 * A target that takes a batch while one is in flight, as the Redis timeline does: batches
 * are applied one after the other in call order, each checked against the checkpoint the
 * one before left. `loseBefore` makes it come back empty, as Redis without persistence would.
 */
class OrderedTarget implements ProjectionTarget {
  readonly name = 'ordered';
  readonly maxInFlight = 1;
  position = 0;
  applied: number[] = [];
  inFlight = 0;
  mostInFlight = 0;
  /** Before applying the batch that starts after this position, lose everything (once). */
  loseBefore: number | null = null;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly workMs: number) {}

  async checkpoint(): Promise<number> {
    return this.position;
  }

  applyBatch(events: readonly RecordedEvent[], range: CheckpointRange): Promise<void> {
    this.inFlight += 1;
    this.mostInFlight = Math.max(this.mostInFlight, this.inFlight);
    const applied = this.queue
      .then(async () => {
        await sleep(this.workMs);
        if (this.loseBefore === range.after) {
          this.loseBefore = null;
          this.position = 0;
          this.applied = [];
        }
        if (range.after !== this.position)
          throw new CheckpointMismatchError(this.name, range.after, this.position);
        this.applied.push(...events.map((e) => e.position));
        this.position = range.upTo;
      })
      .finally(() => (this.inFlight -= 1));
    this.queue = applied.catch(() => undefined);
    return applied;
  }
}

async function logOf(events: number): Promise<SqliteEventStore> {
  const store = new SqliteEventStore({ path: ':memory:' });
  for (let i = 0; i < events; i++)
    await store.append(`s-${i % 7}`, [
      { id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, type: 'x.v1', data: {} },
    ]);
  return store;
}

const positions = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe('ProjectionRunner with a target that takes one batch in flight', () => {
  let store: SqliteEventStore;
  afterEach(async () => {
    await store.close();
  });

  it('keeps one batch in flight while it reads the next, and applies every event once, in order', async () => {
    store = await logOf(100);
    const target = new OrderedTarget(5);
    const runner = new ProjectionRunner(store, target, { batchSize: 10 });
    await runner.start();
    expect(target.applied).toEqual(positions(100));
    expect(target.mostInFlight).toBe(2);
    expect(runner.status()).toMatchObject({ position: 100, caughtUp: true, resumes: 0 });
    await runner.stop();
  });

  it('resumes from the checkpoint when a batch in the middle is refused, the one after it too', async () => {
    store = await logOf(100);
    const target = new OrderedTarget(2);
    target.loseBefore = 40;
    const runner = new ProjectionRunner(store, target, { batchSize: 10 });
    await runner.start();
    expect(target.applied).toEqual(positions(100));
    expect(runner.status()).toMatchObject({ position: 100, caughtUp: true, resumes: 1 });
    await runner.stop();
  });

  it('reports caught up only once the last batch is applied, and resumes when it is refused', async () => {
    store = await logOf(95);
    const target = new OrderedTarget(20);
    target.loseBefore = 90; // the last batch, in flight when the log has nothing more
    const runner = new ProjectionRunner(store, target, { batchSize: 10 });
    await runner.start();
    expect(target.applied).toEqual(positions(95));
    expect(runner.status()).toMatchObject({ position: 95, caughtUp: true, resumes: 1 });
    await runner.stop();
  });

  it('stops once the batch in flight is applied', async () => {
    store = await logOf(100);
    const target = new OrderedTarget(50);
    const runner = new ProjectionRunner(store, target, { batchSize: 10 });
    void runner.start().catch(() => undefined);
    while (target.inFlight === 0) await sleep(1);
    await runner.stop();
    expect(target.inFlight).toBe(0);
    expect(target.applied.length).toBeGreaterThan(0);
    expect(target.applied).toEqual(positions(target.applied.length));
    expect(await target.checkpoint()).toBe(target.applied.length);
  });
  it('stops when stopped while it reads the checkpoint, and starts no subscription after', async () => {
    store = await logOf(20);
    let answer!: (position: number) => void;
    const target = new OrderedTarget(0);
    target.checkpoint = () => new Promise<number>((resolve) => (answer = resolve));
    const runner = new ProjectionRunner(store, target, { batchSize: 10 });
    void runner.start().catch(() => undefined);
    while (answer === undefined) await sleep(1);
    const stopped = runner.stop();
    answer(0);
    // Before the fix the subscription started after stop() had looked for it, and this hung.
    await expect(
      Promise.race([stopped.then(() => 'stopped'), sleep(2_000, 'hung', { ref: false })]),
    ).resolves.toBe('stopped');
    await sleep(50);
    expect(target.applied).toEqual([]);
  });
});
