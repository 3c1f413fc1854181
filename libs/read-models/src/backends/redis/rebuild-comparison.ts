import { type ClosenessConfig, DEFAULT_CLOSENESS_CONFIG } from '@rapport/domain';
import { type EventStore } from '@rapport/event-store';
import { type RedisConnection } from './redis-connection';
import { closenessProjection } from '../../closeness/closeness-projection';
import { ideaBacklogProjection } from '../../ideas/idea-backlog-projection';
import { ProjectionRunner } from '../../projection/projection-runner';
import { timelineProjection } from '../../timeline/timeline-projection';
import { RedisClosenessReadModel } from './closeness/redis-closeness-read-model';
import { dumpRedisKeys } from './dump-redis-keys';
import { RedisIdeaBacklogReadModel } from './ideas/redis-idea-backlog-read-model';
import { cleanRebuildPrefix, relativeKeyKind } from './redis-keys';
import { RedisTimelineReadModel } from './timeline/redis-timeline-read-model';
import { redisProjectionCatalog } from './versions/redis-projection-catalog';

/**
 * The live read models under `prefix`, key for key, without what is not model content: the
 * projector's lease, a clean rebuild kept beside it, and the versions' bookkeeping
 * (`projections:*`). Each projection's live version is read with its version prefix taken
 * off (`v3:timeline:…` → `timeline:…`), so a model rebuilt blue/green compares with one
 * that never was; versions not live (a rebuild under way, an old one being dropped) are left out.
 */
export async function readModelDump(
  redis: RedisConnection,
  prefix: string,
): Promise<Record<string, unknown>> {
  const dump = await dumpRedisKeys(redis, prefix);
  const live = new Set(
    Object.entries(dump)
      .filter(([key]) => relativeKeyKind(key).kind === 'live-pointer')
      .map(([, version]) => Number(version)),
  );
  const model: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(dump)) {
    const found = relativeKeyKind(key);
    if (found.kind === 'model') model[key] = value;
    else if (found.kind === 'versioned' && live.has(found.version)) model[found.key] = value;
  }
  return model;
}

/**
 * Waits until every live model under `prefix` — timeline, idea backlog, closeness, each
 * written by its own projection — has applied the log up to `position`, so that a dump
 * compared with a clean rebuild is not caught with one of them a batch behind.
 */
export async function liveModelsAt(
  redis: RedisConnection,
  prefix: string,
  position: number,
  closenessConfig: ClosenessConfig = DEFAULT_CLOSENESS_CONFIG,
  timeoutMs = 60_000,
): Promise<void> {
  // Each at its live version.
  const catalog = redisProjectionCatalog(redis, prefix, { closeness: closenessConfig });
  const models = [catalog.timeline, catalog.ideas, catalog.closeness].map((p) =>
    p.reader<{ checkpoint(): Promise<number> }>(),
  );
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
 * Rebuilds the timeline model from the log into `<prefix>rebuild:` (cleared first) and
 * returns its dump, to compare with `readModelDump(redis, prefix)` of the live model.
 */
export async function cleanRebuildDump(
  store: EventStore,
  redis: RedisConnection,
  prefix: string,
  /** The closeness configuration the live projector runs with (its keys carry a fingerprint of it). */
  closenessConfig: ClosenessConfig = DEFAULT_CLOSENESS_CONFIG,
): Promise<Record<string, unknown>> {
  const rebuilt = cleanRebuildPrefix(prefix);
  const model = new RedisTimelineReadModel(redis, { prefix: rebuilt });
  await model.clear();
  const runner = new ProjectionRunner(store, timelineProjection(model));
  await runner.start();
  await runner.stop();
  // The idea backlog lives under the same prefix: rebuilt beside it too.
  const ideas = new RedisIdeaBacklogReadModel(redis, { prefix: rebuilt });
  await ideas.clear();
  const ideasRunner = new ProjectionRunner(store, ideaBacklogProjection(ideas));
  await ideasRunner.start();
  await ideasRunner.stop();
  // So does closeness.
  const closeness = new RedisClosenessReadModel(redis, closenessConfig, { prefix: rebuilt });
  await closeness.clear();
  const closenessRunner = new ProjectionRunner(store, closenessProjection(closeness));
  await closenessRunner.start();
  await closenessRunner.stop();
  return readModelDump(redis, rebuilt);
}
