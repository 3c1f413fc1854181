import Redis, { Cluster, type ClusterOptions, type RedisOptions } from 'ioredis';
import { DEFAULT_REDIS_PREFIX } from './redis-keys';

/**
 * A connection to the read models' Redis: one server (`Redis`) or a Redis Cluster
 * (`Cluster`). The code is typed against what both share; every script, MULTI and pipeline
 * touches the keys of one hash slot (ADR 0037), so it runs the same on both.
 */
export type RedisConnection = Redis | Cluster;

/** The URL schemes that name a Redis Cluster: `redis-cluster://host:port,host:port/0?prefix=…`. */
const CLUSTER_SCHEMES = ['redis-cluster:', 'rediss-cluster:'];

/** Where the read models live: one server's URL, or a cluster's seed nodes. */
export type RedisLocation =
  | { readonly cluster: false; readonly redisUrl: string }
  | {
      readonly cluster: true;
      readonly nodes: readonly { host: string; port: number }[];
      readonly username?: string;
      readonly password?: string;
      readonly tls: boolean;
    };

/** A key prefix that would put a brace in a key's name, and so choose its hash slot. */
export class InvalidRedisPrefixError extends Error {
  override readonly name = 'InvalidRedisPrefixError';
  constructor(readonly prefix: string) {
    super(`Redis key prefix ${prefix}: no { or } (the keys' hash tags follow the prefix)`);
  }
}

/** True when `url` names a Redis Cluster (`redis-cluster://…`, `rediss-cluster://…`). */
export function isRedisClusterUrl(url: string): boolean {
  return CLUSTER_SCHEMES.some((scheme) => url.startsWith(`${scheme}//`));
}

/**
 * `redis://host:6379/0?prefix=rapport:v2:` → the connection URL and the key prefix;
 * `redis-cluster://h1:7001,h2:7002[/0]?prefix=…` → the cluster's seed nodes and the prefix (a
 * cluster has database 0 only: any other number is refused). `user:password@` before the
 * nodes applies to each of them; `rediss-cluster://` connects with TLS.
 */
export function parseRedisReadModelsUrl(url: string): RedisLocation & { prefix: string } {
  if (!isRedisClusterUrl(url)) {
    const parsed = new URL(url);
    const prefix = parsed.searchParams.get('prefix') ?? DEFAULT_REDIS_PREFIX;
    parsed.search = '';
    return { cluster: false, redisUrl: parsed.toString(), prefix: checkedPrefix(prefix) };
  }
  const scheme = url.slice(0, url.indexOf('//'));
  const rest = url.slice(scheme.length + 2);
  const queryAt = rest.indexOf('?');
  const beforeQuery = queryAt < 0 ? rest : rest.slice(0, queryAt);
  const query = new URLSearchParams(queryAt < 0 ? '' : rest.slice(queryAt + 1));
  const slash = beforeQuery.indexOf('/');
  const authority = slash < 0 ? beforeQuery : beforeQuery.slice(0, slash);
  const database = slash < 0 ? '' : beforeQuery.slice(slash + 1);
  if (database !== '' && database !== '0')
    throw new RangeError(`${url}: a Redis Cluster has database 0 only`);
  const at = authority.lastIndexOf('@');
  const credentials = at < 0 ? '' : authority.slice(0, at);
  const nodes = (at < 0 ? authority : authority.slice(at + 1)).split(',').map((node) => {
    const colon = node.lastIndexOf(':');
    const host = colon < 0 ? node : node.slice(0, colon);
    const port = colon < 0 ? 6379 : Number(node.slice(colon + 1));
    if (!host || !Number.isInteger(port) || port <= 0 || port > 65535)
      throw new RangeError(`${url}: ${node} is not host:port`);
    return { host, port };
  });
  const colon = credentials.indexOf(':');
  const username = decodeURIComponent(colon < 0 ? credentials : credentials.slice(0, colon));
  const password = colon < 0 ? undefined : decodeURIComponent(credentials.slice(colon + 1));
  return {
    cluster: true,
    nodes,
    ...(username ? { username } : {}),
    ...(password !== undefined ? { password } : {}),
    tls: scheme === 'rediss-cluster:',
    prefix: checkedPrefix(query.get('prefix') ?? DEFAULT_REDIS_PREFIX),
  };
}

function checkedPrefix(prefix: string): string {
  if (/[{}]/.test(prefix)) throw new InvalidRedisPrefixError(prefix);
  return prefix;
}

const CONNECTIONS = {
  /** The read models' queries and projections. */
  shared: { maxRetriesPerRequest: 3, enableAutoPipelining: true },
  /** One look from another process (`rapport stats`): connects on `connect()`, gives up sooner. */
  probe: { maxRetriesPerRequest: 2, lazyConnect: true, connectTimeout: 5000 },
} satisfies Record<string, RedisOptions>;

/**
 * A connection to the Redis holding the read models: the one place one is made. `location`
 * is a parsed location or a URL (`redis://…`, `redis-cluster://…`; a `?prefix=` is ignored).
 */
export function connectRedis(
  location: RedisLocation | string,
  use: keyof typeof CONNECTIONS = 'shared',
): RedisConnection {
  const where = typeof location === 'string' ? parseRedisReadModelsUrl(location) : location;
  const options = CONNECTIONS[use];
  if (!where.cluster) return new Redis(where.redisUrl, { ...options });
  const { maxRetriesPerRequest, connectTimeout, ...shared } = options as RedisOptions;
  const cluster: ClusterOptions = {
    ...shared,
    redisOptions: {
      maxRetriesPerRequest,
      connectTimeout,
      ...(where.username ? { username: where.username } : {}),
      ...(where.password !== undefined ? { password: where.password } : {}),
      ...(where.tls ? { tls: {} } : {}),
    },
  };
  return new Cluster(
    where.nodes.map((node) => ({ ...node })),
    cluster,
  );
}

/**
 * The servers holding the keys: the cluster's masters (each holds its own slots' keys),
 * or the one server. What SCAN-based work (clear, drop, dump) must visit each of.
 */
export async function mastersOf(redis: RedisConnection): Promise<Redis[]> {
  if (!(redis instanceof Cluster)) return [redis];
  // Before the first command the cluster may not know its nodes yet.
  if (redis.status !== 'ready')
    await new Promise<void>((resolve, reject) => {
      const ready = () => {
        redis.off('end', ended);
        resolve();
      };
      const ended = () => {
        redis.off('ready', ready);
        reject(new Error('the Redis Cluster connection ended'));
      };
      redis.once('ready', ready);
      redis.once('end', ended);
      if (redis.status === 'wait') redis.connect().catch(() => undefined);
    });
  return redis.nodes('master');
}
