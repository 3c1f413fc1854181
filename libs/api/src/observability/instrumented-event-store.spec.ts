import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AppendTransaction, SqliteEventStore } from '@rapport/event-store';
import { instrumentAppends } from './instrumented-event-store';
import { RapportMetrics } from './rapport-metrics';

const event = () => ({ id: crypto.randomUUID(), type: 'test.happened.v1', data: {} });

/** Timing the appends must not change them: the append options reach the log. */
describe('instrumentAppends', () => {
  let dir: string;
  let store: SqliteEventStore;
  let metrics: RapportMetrics;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rapport-instrumented-'));
    store = new SqliteEventStore({ path: join(dir, 'log.db') });
    metrics = new RapportMetrics();
    instrumentAppends(store, metrics, 'sqlite');
  });
  afterEach(async () => {
    await store.close();
    metrics.onApplicationShutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  it('passes withinTransaction on, and counts and times each append once', async () => {
    const seen: string[] = [];
    const hook = (name: string) => (tx: AppendTransaction) => void seen.push(`${name}:${tx.kind}`);
    await store.append('a', [event()], 'no_stream', { withinTransaction: hook('append') });
    await store.appendMany(
      [{ streamId: 'b', events: [event(), event()], expectedRevision: 'any' }],
      {
        withinTransaction: hook('appendMany'),
      },
    );
    expect(seen).toEqual(['append:sqlite', 'appendMany:sqlite']);
    const text = await metrics.registry.metrics();
    // SQLite's append calls its own appendMany: still one append, of one event.
    expect(text).toMatch(/rapport_event_store_appended_events_total\{store="sqlite"\} 3\n/);
    expect(text).toMatch(
      /rapport_event_store_append_duration_seconds_count\{store="sqlite",operation="append"\} 1\n/,
    );
    expect(text).toMatch(
      /rapport_event_store_append_duration_seconds_count\{store="sqlite",operation="append_many"\} 1\n/,
    );
  });
});
