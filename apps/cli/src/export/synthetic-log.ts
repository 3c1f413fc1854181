import { type EventStore, type ReadAllOptions, type RecordedEvent } from '@rapport/event-store';
import { v5 as uuidv5 } from 'uuid';

// A read-only log made up on demand, for export tests and the export benchmark: the ids are
// deterministic (UUID v5 of the position), so a reader can check every one without a copy.

export const SYNTHETIC_NAMESPACE = '4f0d7c0e-5b7a-4b8e-9d55-0b6c1d2e3f40';
export const syntheticEventId = (position: number) => uuidv5(String(position), SYNTHETIC_NAMESPACE);
export const BASE_TIME = Date.parse('2026-01-01T00:00:00Z');

/** A log of `total` events made up on demand (no storage): what the export reads is what a store hands out. */
export function syntheticLog(total: number): EventStore {
  const event = (position: number): RecordedEvent => ({
    id: syntheticEventId(position),
    streamId: `customer-${position % 1000}`,
    revision: Math.floor(position / 1000),
    position,
    type: 'touchpoint.recorded.v1',
    data: {
      channel: ['email', 'chat', 'phone', 'social'][position % 4],
      direction: 'inbound',
      identity: { kind: 'email', value: `c${position % 1000}@example.com` },
      content: { text: `message number ${position}` },
    },
    metadata: {
      ce: { id: `m-${position}`, source: 'synthetic' },
      occurredAt: new Date(BASE_TIME + position * 1000).toISOString(),
      customerId: `c-${position % 1000}`,
    },
    recordedAt: new Date(BASE_TIME + position).toISOString(),
  });
  const refuse = () => Promise.reject(new Error('read only'));
  return {
    append: refuse,
    appendMany: refuse,
    readStream: refuse,
    async readAll(options: ReadAllOptions = {}) {
      const after = options.after ?? 0;
      const upTo = Math.min(total, after + (options.maxCount ?? total));
      return Array.from({ length: Math.max(0, upTo - after) }, (_, i) => event(after + 1 + i));
    },
    headPosition: async () => total,
    subscribeToAll: () => {
      throw new Error('read only');
    },
    close: async () => undefined,
  };
}
