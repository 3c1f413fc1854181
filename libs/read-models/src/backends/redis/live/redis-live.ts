import { Cluster } from 'ioredis';
import { type RedisConnection } from '../redis-connection';
import {
  deliver,
  type LiveChange,
  type LiveChanges,
  type LiveListener,
} from '../../../live/live-changes';
import {
  distinctViewers,
  type PresenceStore,
  type PresenceViewer,
} from '../../../live/presence-store';

/**
 * Live changes over Redis pub/sub on the channel `<prefix>live`: published on the read
 * models' connection, heard on a subscriber connection of its own (made at the first
 * subscription). A message is JSON of `LiveChange`; anything else is ignored. On a Redis
 * Cluster the channel is a shard channel (SPUBLISH, SSUBSCRIBE): one node carries it, in
 * the order published — a PUBLISH goes to any node and reaches the others by the cluster
 * bus, so two messages sent to two nodes may arrive swapped.
 */
export function redisLiveChanges(redis: () => RedisConnection, prefix: string): LiveChanges {
  const channel = `${prefix}live`;
  const listeners = new Set<LiveListener>();
  let subscriber: Promise<RedisConnection> | null = null;
  const connect = () =>
    (subscriber ??= (async () => {
      const shared = redis();
      const sharded = shared instanceof Cluster;
      // A cluster's subscriber connects to the node of the channel's slot only when asked to.
      const connection = sharded
        ? shared.duplicate([], { shardedSubscribers: true })
        : shared.duplicate();
      connection.on(sharded ? 'smessage' : 'message', (from: string, message: string) => {
        if (from !== channel) return;
        let change: LiveChange;
        try {
          change = JSON.parse(message) as LiveChange;
        } catch {
          return;
        }
        deliver(listeners, change);
      });
      if (sharded) await connection.ssubscribe(channel);
      else await connection.subscribe(channel);
      return connection;
    })().catch((error: unknown) => {
      subscriber = null;
      throw error;
    }));
  return {
    async publish(change: LiveChange) {
      const connection = redis();
      if (connection instanceof Cluster) await connection.spublish(channel, JSON.stringify(change));
      else await connection.publish(channel, JSON.stringify(change));
    },
    async subscribe(listener: LiveListener) {
      await connect();
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      listeners.clear();
      const pending = subscriber;
      subscriber = null;
      const connection = await pending?.catch(() => null);
      if (connection) await connection.quit().catch(() => connection.disconnect());
    },
  };
}

/**
 * Presence in Redis: `<prefix>presence:{<customer>}` a sorted set of sessions scored by when
 * they expire, `<prefix>presence:who:{<customer>}` session → viewer JSON (one slot: a MULTI
 * writes both). Both keys expire with their last session, so nobody has to clean up after a
 * crashed replica.
 */
export function redisPresenceStore(redis: () => RedisConnection, prefix: string): PresenceStore {
  const sessions = (customerId: string) => `${prefix}presence:{${customerId}}`;
  const who = (customerId: string) => `${prefix}presence:who:{${customerId}}`;
  return {
    async touch(customerId, sessionId, viewer, expiresAtMs) {
      await redis()
        .multi()
        .zadd(sessions(customerId), expiresAtMs, sessionId)
        .hset(who(customerId), sessionId, JSON.stringify(viewer))
        .pexpireat(sessions(customerId), expiresAtMs, 'GT')
        .pexpireat(who(customerId), expiresAtMs, 'GT')
        // A key made just now has no expiry, which GT treats as infinite: set one.
        .pexpireat(sessions(customerId), expiresAtMs, 'NX')
        .pexpireat(who(customerId), expiresAtMs, 'NX')
        .exec();
    },
    async leave(customerId, sessionId) {
      await redis()
        .multi()
        .zrem(sessions(customerId), sessionId)
        .hdel(who(customerId), sessionId)
        .exec();
    },
    async viewers(customerId, nowMs) {
      // Sessions that lapsed (a page that died without leaving) go first.
      const lapsed = await redis().zrangebyscore(sessions(customerId), '-inf', nowMs);
      if (lapsed.length > 0)
        await redis()
          .multi()
          .zrem(sessions(customerId), ...lapsed)
          .hdel(who(customerId), ...lapsed)
          .exec();
      const live = await redis().zrangebyscore(sessions(customerId), `(${nowMs}`, '+inf');
      if (live.length === 0) return [];
      const stored = await redis().hmget(who(customerId), ...live);
      const viewers: PresenceViewer[] = [];
      for (const json of stored) if (json) viewers.push(JSON.parse(json) as PresenceViewer);
      return distinctViewers(viewers);
    },
  };
}
