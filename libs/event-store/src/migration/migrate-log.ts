import stringify from 'safe-stable-stringify';
import { type AppendRequest, type EventStore, type RecordedEvent } from '../event-store';

export interface MigrationProgress {
  /** Source position of the last event copied (the checkpoint to resume from). */
  readonly checkpoint: number;
  /** Events handled in this run, copied or already there. */
  readonly handled: number;
  /** Events that were already in the target (a resumed run re-reads a little). */
  readonly alreadyThere: number;
}

export interface MigrateLogOptions {
  /** Resume after this source position (from a checkpoint of an earlier run); 0 = from the start. */
  readonly after?: number;
  readonly batchSize?: number;
  /** Called after every batch is durable in the target: the place to save the checkpoint. */
  readonly onProgress?: (progress: MigrationProgress) => Promise<void> | void;
  /** Checked between batches; return true to stop cleanly (Ctrl-C). */
  readonly shouldStop?: () => boolean;
}

export interface MigrationResult extends MigrationProgress {
  readonly stopped: boolean;
}

/**
 * Copies the log from one store to another in log order, keeping event ids, stream
 * revisions (each append expects exactly the revision before it) and global order
 * (consecutive events of one stream share an append; appends go in source order).
 * Resumable: re-copying an event that is already in the target is an idempotent no-op,
 * so resuming from an older checkpoint is safe.
 */
export async function migrateLog(
  source: EventStore,
  target: EventStore,
  options: MigrateLogOptions = {},
): Promise<MigrationResult> {
  let checkpoint = options.after ?? 0;
  let handled = 0;
  let alreadyThere = 0;
  for (;;) {
    if (options.shouldStop?.()) return { checkpoint, handled, alreadyThere, stopped: true };
    const events = await source.readAll({ after: checkpoint, maxCount: options.batchSize ?? 1000 });
    if (events.length === 0) return { checkpoint, handled, alreadyThere, stopped: false };
    const outcomes = await target.appendMany(appendsInOrder(events));
    for (const outcome of outcomes) {
      if (!outcome.ok) {
        throw new Error(
          `migration stopped at source position ${checkpoint}: the target refused an append: ${outcome.error.message}`,
        );
      }
      alreadyThere += outcome.result.events.filter((e) => e.duplicate).length;
    }
    handled += events.length;
    checkpoint = events[events.length - 1].position;
    await options.onProgress?.({ checkpoint, handled, alreadyThere });
  }
}

/** Runs of consecutive events of one stream, each an append expecting the revision before it. */
export function appendsInOrder(events: readonly RecordedEvent[]): AppendRequest[] {
  const appends: { streamId: string; events: RecordedEvent[] }[] = [];
  for (const event of events) {
    const last = appends[appends.length - 1];
    if (last && last.streamId === event.streamId) last.events.push(event);
    else appends.push({ streamId: event.streamId, events: [event] });
  }
  return appends.map((run) => ({
    streamId: run.streamId,
    expectedRevision: run.events[0].revision === 0 ? 'no_stream' : run.events[0].revision - 1,
    events: run.events.map((e) => ({ id: e.id, type: e.type, data: e.data, metadata: e.metadata })),
  }));
}

export interface VerificationResult {
  readonly compared: number;
  readonly mismatches: string[];
}

/**
 * Reads both logs side by side and compares every event: id, stream, revision, type,
 * data and metadata, in the same order, and the same count.
 */
export async function verifyMigration(
  source: EventStore,
  target: EventStore,
  options: {
    batchSize?: number;
    onProgress?: (compared: number) => void;
    maxMismatches?: number;
  } = {},
): Promise<VerificationResult> {
  const batch = options.batchSize ?? 1000;
  const mismatches: string[] = [];
  let compared = 0;
  let sourceAfter = 0;
  let targetAfter = 0;
  for (;;) {
    const [a, b] = await Promise.all([
      source.readAll({ after: sourceAfter, maxCount: batch }),
      target.readAll({ after: targetAfter, maxCount: batch }),
    ]);
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i += 1) {
      const difference = differenceOf(a[i], b[i]);
      if (difference) mismatches.push(`event #${compared + i + 1} (${a[i].id}): ${difference}`);
    }
    compared += n;
    if (a.length !== b.length) {
      mismatches.push(
        `the ${a.length < b.length ? 'target' : 'source'} has more events after #${compared}`,
      );
    }
    options.onProgress?.(compared);
    if (
      a.length !== b.length ||
      a.length < batch ||
      mismatches.length >= (options.maxMismatches ?? 20)
    )
      break;
    sourceAfter = a[a.length - 1].position;
    targetAfter = b[b.length - 1].position;
  }
  return { compared, mismatches };
}

function differenceOf(a: RecordedEvent, b: RecordedEvent): string | null {
  if (a.id !== b.id) return `id ${a.id} ≠ ${b.id}`;
  if (a.streamId !== b.streamId) return `stream ${a.streamId} ≠ ${b.streamId}`;
  if (a.revision !== b.revision) return `revision ${a.revision} ≠ ${b.revision}`;
  if (a.type !== b.type) return `type ${a.type} ≠ ${b.type}`;
  if (!sameValue(a.data, b.data)) return 'data differs';
  if (!sameValue(a.metadata, b.metadata)) return 'metadata differs';
  return null;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    return (
      a instanceof Uint8Array && b instanceof Uint8Array && Buffer.from(a).equals(Buffer.from(b))
    );
  }
  // Key order is not content (PostgreSQL's jsonb, for one, reorders keys).
  return stringify(a) === stringify(b);
}
