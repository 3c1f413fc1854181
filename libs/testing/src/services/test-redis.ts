import Redis, { Cluster, type ClusterOptions, type RedisOptions } from 'ioredis';
// Jest's global setup (which probes Redis with this) runs without moduleNameMapper: a
// relative import, as service-probes.ts does; redis-connection.ts has no @rapport imports
// but types.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { parseRedisReadModelsUrl } from '../../../read-models/src/backends/redis/redis-connection';

/** A test's Redis client: one server or a Redis Cluster, as the read models' connection is. */
export type TestRedis = Redis | Cluster;

/** Options of a test's client; `clusterRetryStrategy` applies to a cluster only. */
export type TestRedisOptions = RedisOptions & Pick<ClusterOptions, 'clusterRetryStrategy'>;

/**
 * A client for the Redis at `url` — `redis://…` or `redis-cluster://h:p,h:p` (ADR 0037) —
 * with `options` (for a cluster, its nodes get them, and the cluster auto-pipelines and
 * connects lazily as asked). What every spec opens Redis with, so that the whole suite runs
 * on either (`RAPPORT_TEST_REDIS=cluster`).
 */
export function testRedis(url: string, options: TestRedisOptions = {}): TestRedis {
  const where = parseRedisReadModelsUrl(url);
  const { clusterRetryStrategy, ...redisOptions } = options;
  if (!where.cluster) return new Redis(where.redisUrl, redisOptions);
  const { enableAutoPipelining, lazyConnect, maxRetriesPerRequest, ...nodeOptions } = redisOptions;
  return new Cluster(
    where.nodes.map((node) => ({ ...node })),
    {
      enableAutoPipelining,
      lazyConnect,
      ...(clusterRetryStrategy ? { clusterRetryStrategy } : {}),
      redisOptions: {
        ...nodeOptions,
        maxRetriesPerRequest,
        ...(where.username ? { username: where.username } : {}),
        ...(where.password !== undefined ? { password: where.password } : {}),
        ...(where.tls ? { tls: {} } : {}),
      },
    },
  );
}
