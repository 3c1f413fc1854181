import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newEvent } from '../contract/event-store-contract';
import { type RecordedEvent } from '../event-store';
import { SqliteEventStore } from '../sqlite/sqlite-event-store';

/**
 * Two stores on one SQLite file, as the ingestor and the projector are: the subscriber hears
 * of the other's appends only at its poll (a minute here), so what it receives before then it
 * found by reading on.
 */
describe('catch-up subscription: appends of another process while the handler works', () => {
  let dir: string;
  let writer: SqliteEventStore;
  let reader: SqliteEventStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rapport-catch-up-'));
    writer = new SqliteEventStore({ path: join(dir, 'log.db') });
    reader = new SqliteEventStore({ path: join(dir, 'log.db'), pollIntervalMs: 60_000 });
  });
  afterEach(async () => {
    await reader.close();
    await writer.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads on after a page that was not full instead of waiting for the signal', async () => {
    await writer.append('s-1', [newEvent()]);
    const received: RecordedEvent[] = [];
    let appendedMeanwhile = false;
    const allThree = new Promise<void>((resolve) => {
      const subscription = reader.subscribeToAll(
        { after: 0, batchSize: 100 },
        {
          onEvents: async (events) => {
            received.push(...events);
            // A page of one: two more land in the log while it is being handled.
            if (!appendedMeanwhile) {
              appendedMeanwhile = true;
              await writer.append('s-2', [newEvent(), newEvent()]);
            }
            if (received.length === 3) {
              resolve();
              void subscription.stop();
            }
          },
        },
      );
    });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve('waited for the poll'), 10_000);
    });
    const outcome = await Promise.race([allThree.then(() => 'read on'), timedOut]);
    clearTimeout(timer);
    expect(outcome).toBe('read on');
    expect(received.map((e) => e.position)).toEqual([1, 2, 3]);
  });
});
