import { ERASURE_STREAM, applySuppression } from '@rapport/domain';
import { type EventStore } from '@rapport/event-store';
import { type SuppressionCheck } from '../ingestion/ingest-touchpoints';

/**
 * The identities whose touchpoints are dropped, read from the erasure stream of the log:
 * every process sees the same list, and `refresh` (once per ingested batch) reads only the
 * decisions appended since the last one, so an erasure holds for every batch that starts
 * after it was committed.
 */
export class LogSuppressionList implements SuppressionCheck {
  private readonly suppressed = new Set<string>();
  private nextRevision = 0;
  private refreshing: Promise<void> | null = null;

  constructor(private readonly store: EventStore) {}

  refresh(): Promise<void> {
    this.refreshing ??= this.readNew().finally(() => (this.refreshing = null));
    return this.refreshing;
  }

  isSuppressed(identityKey: string): boolean {
    return this.suppressed.has(identityKey);
  }

  private async readNew(): Promise<void> {
    for (;;) {
      const events = await this.store.readStream(ERASURE_STREAM, {
        fromRevision: this.nextRevision,
        maxCount: 500,
      });
      for (const event of events) {
        applySuppression(this.suppressed, event);
        this.nextRevision = event.revision + 1;
      }
      if (events.length < 500) return;
    }
  }
}
