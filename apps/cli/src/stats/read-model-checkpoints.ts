import { type ClosenessConfig, type IdentityPolicy } from '@rapport/domain';
import { parseRedisReadModelsUrl, redisProjectionCatalog } from '@rapport/read-models';
import Redis from 'ioredis';

/**
 * The checkpoints of the read models in Redis: each projection's live version keeps its
 * position beside its data (`<prefix>[v<n>:]checkpoint:<name>`), atomically with its writes.
 */
export async function redisCheckpoints(
  url: string,
  options: { closeness?: ClosenessConfig; identityPolicy?: IdentityPolicy } = {},
): Promise<Map<string, number>> {
  const { redisUrl, prefix } = parseRedisReadModelsUrl(url);
  const redis = new Redis(redisUrl, {
    maxRetriesPerRequest: 2,
    lazyConnect: true,
    connectTimeout: 5000,
  });
  try {
    await redis.connect();
    const found = new Map<string, number>();
    for (const projection of redisProjectionCatalog(redis, prefix, options).all) {
      const state = await projection.state();
      // A projection that never wrote (e.g. no projector has run) is left out.
      if (state.checkpoint > 0 || state.version > 0) found.set(state.name, state.checkpoint);
    }
    return found;
  } finally {
    redis.disconnect();
  }
}
