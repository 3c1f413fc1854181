import { type EventStore } from '@rapport/event-store';
import { v5 as uuidv5 } from 'uuid';

const CHECKPOINT_NAMESPACE = '3f6d8b2e-1a4c-4e7f-9d0b-6c2e8a4f1b57';
export const CHECKPOINT_EVENT_TYPE = 'notifier.checkpointed.v1';

/**
 * A log follower's checkpoint kept in the log itself (one small event per write on its own
 * stream): it survives restarts, and no read-model rebuild or Redis flush can reset it.
 * Written only after batches that did something, so an idle follower adds nothing.
 */
export class LogCheckpoint {
  constructor(
    private readonly store: EventStore,
    readonly streamId: string,
  ) {}

  async read(): Promise<number> {
    const [last] = await this.store.readStream(this.streamId, {
      direction: 'backwards',
      maxCount: 1,
    });
    return last ? (last.data as { position: number }).position : 0;
  }

  async write(position: number): Promise<void> {
    await this.store.append(this.streamId, [
      {
        id: uuidv5(`${this.streamId}\n${position}`, CHECKPOINT_NAMESPACE),
        type: CHECKPOINT_EVENT_TYPE,
        data: { position },
      },
    ]);
  }
}
