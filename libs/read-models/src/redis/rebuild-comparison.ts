import { type ClosenessConfig, DEFAULT_CLOSENESS_CONFIG } from '@rapport/domain';
import { type EventStore } from '@rapport/event-store';
import type Redis from 'ioredis';
import { closenessProjection } from '../closeness/closeness-projection';
import { ideaBacklogProjection } from '../ideas/idea-backlog-projection';
import { ProjectionRunner } from '../projection/projection-runner';
import { timelineProjection } from '../timeline/timeline-projection';
import { dumpRedisKeys } from './dump-redis-keys';
import { RedisClosenessReadModel } from './redis-closeness-read-model';
import { RedisIdeaBacklogReadModel } from './redis-idea-backlog-read-model';
import { RedisTimelineReadModel } from './redis-timeline-read-model';

/** Where `cleanRebuildDump` builds its model: beside the live one, under its prefix. */
const REBUILD = 'rebuild:';

/**
 * The read model under `prefix`, key for key, without what is not model content: the
 * projector's lease, and a clean rebuild kept beside it.
 */
export async function readModelDump(
  redis: Redis,
  prefix: string,
): Promise<Record<string, unknown>> {
  const dump = await dumpRedisKeys(redis, prefix);
  return Object.fromEntries(
    Object.entries(dump).filter(([key]) => !key.startsWith('lease:') && !key.startsWith(REBUILD)),
  );
}

/**
 * Waits until every live model under `prefix` — timeline, idea backlog, closeness, each
 * written by its own projection — has applied the log up to `position`, so that a dump
 * compared with a clean rebuild is not caught with one of them a batch behind.
 */
export async function liveModelsAt(
  redis: Redis,
  prefix: string,
  position: number,
  closenessConfig: ClosenessConfig = DEFAULT_CLOSENESS_CONFIG,
  timeoutMs = 60_000,
): Promise<void> {
  const models = [
    new RedisTimelineReadModel(redis, { prefix }),
    new RedisIdeaBacklogReadModel(redis, { prefix }),
    new RedisClosenessReadModel(redis, closenessConfig, { prefix }),
  ];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const checkpoints = await Promise.all(models.map((m) => m.checkpoint()));
    if (checkpoints.every((c) => c >= position)) return;
    if (Date.now() > deadline)
      throw new Error(
        `the read models under ${prefix} are at ${checkpoints.join(', ')} (timeline, ideas, closeness), not yet at ${position}`,
      );
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Rebuilds the timeline model from the log into `${prefix}rebuild:` (cleared first) and
 * returns its dump, to compare with `readModelDump(redis, prefix)` of the live model.
 */
export async function cleanRebuildDump(
  store: EventStore,
  redis: Redis,
  prefix: string,
  /** The closeness configuration the live projector runs with (its keys carry a fingerprint of it). */
  closenessConfig: ClosenessConfig = DEFAULT_CLOSENESS_CONFIG,
): Promise<Record<string, unknown>> {
  const model = new RedisTimelineReadModel(redis, { prefix: `${prefix}${REBUILD}` });
  await model.clear();
  const runner = new ProjectionRunner(store, timelineProjection(model));
  await runner.start();
  await runner.stop();
  // The idea backlog lives under the same prefix: rebuilt beside it too.
  const ideas = new RedisIdeaBacklogReadModel(redis, { prefix: `${prefix}${REBUILD}` });
  await ideas.clear();
  const ideasRunner = new ProjectionRunner(store, ideaBacklogProjection(ideas));
  await ideasRunner.start();
  await ideasRunner.stop();
  // So does closeness.
  const closeness = new RedisClosenessReadModel(redis, closenessConfig, {
    prefix: `${prefix}${REBUILD}`,
  });
  await closeness.clear();
  const closenessRunner = new ProjectionRunner(store, closenessProjection(closeness));
  await closenessRunner.start();
  await closenessRunner.stop();
  return readModelDump(redis, `${prefix}${REBUILD}`);
}
