import { type EventStore } from '@rapport/event-store';

export interface ProjectionLag {
  readonly name: string;
  readonly position: number;
  /** Log events the projection has not applied yet. */
  readonly lagEvents: number;
  /** Commit time of the head minus commit time of the first event not applied; 0 when caught up. */
  readonly lagSeconds: number;
}

/** Each projection's lag behind the log, from the positions it has applied up to. */
export async function projectionLags(
  store: EventStore,
  checkpoints: ReadonlyMap<string, number>,
  head: number,
): Promise<ProjectionLag[]> {
  const timeAt = async (position: number) => {
    const [event] = await store.readAll({ after: position - 1, maxCount: 1 });
    return event ? Date.parse(event.recordedAt) : NaN;
  };
  const headTime = head > 0 ? await timeAt(head) : NaN;
  const lags: ProjectionLag[] = [];
  for (const [name, position] of checkpoints) {
    const lagEvents = Math.max(0, head - position);
    const lagSeconds =
      lagEvents === 0 ? 0 : Math.max(0, (headTime - (await timeAt(position + 1))) / 1000);
    lags.push({ name, position, lagEvents, lagSeconds: Number.isNaN(lagSeconds) ? 0 : lagSeconds });
  }
  return lags;
}
