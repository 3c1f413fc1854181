import { type EventStore, type RecordedEvent } from '@rapport/event-store';

export interface LogStats {
  readonly head: number;
  readonly events: number;
  readonly streams: number;
  readonly byType: Record<string, number>;
  readonly byChannel: Record<string, number>;
  readonly firstRecordedAt: string | null;
  readonly lastRecordedAt: string | null;
}

/** Counts the whole log in one pass: events by type (as read, newest version) and channel, distinct streams. */
export async function collectLogStats(
  store: EventStore,
  options: {
    batchSize?: number;
    onProgress?: (read: number, head: number) => void;
    shouldStop?: () => boolean;
  } = {},
): Promise<LogStats & { complete: boolean }> {
  const head = await store.headPosition();
  const byType = new Map<string, number>();
  const byChannel = new Map<string, number>();
  const streams = new Set<string>();
  let events = 0;
  let first: RecordedEvent | null = null;
  let last: RecordedEvent | null = null;
  let position = 0;
  options.onProgress?.(0, head);
  while (position < head && !options.shouldStop?.()) {
    const batch = await store.readAll({
      after: position,
      maxCount: Math.min(options.batchSize ?? 5000, head - position),
    });
    if (batch.length === 0) break;
    for (const event of batch) {
      first ??= event;
      events += 1;
      byType.set(event.type, (byType.get(event.type) ?? 0) + 1);
      const channel = (event.data as { channel?: unknown } | null)?.channel;
      const key = typeof channel === 'string' ? channel : '(none)';
      byChannel.set(key, (byChannel.get(key) ?? 0) + 1);
      streams.add(event.streamId);
    }
    last = batch[batch.length - 1];
    position = last.position;
    options.onProgress?.(position, head);
    // Let Ctrl-C in between batches (an embedded store answers without real I/O).
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  const sorted = (m: Map<string, number>) =>
    Object.fromEntries([...m].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])));
  return {
    head,
    events,
    streams: streams.size,
    byType: sorted(byType),
    byChannel: sorted(byChannel),
    firstRecordedAt: first?.recordedAt ?? null,
    lastRecordedAt: last?.recordedAt ?? null,
    complete: position >= head,
  };
}
