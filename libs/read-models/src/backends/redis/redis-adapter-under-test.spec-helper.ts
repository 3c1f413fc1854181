import { randomUUID } from 'node:crypto';
import { testRedis, type TestRedis } from '@rapport/testing';
import { type AdapterUnderTest } from '../../contract/adapter-under-test';
import { dumpRedisKeys } from './dump-redis-keys';

/** A Redis read model as its contract suite opens it: under a prefix of its own. */
interface RedisModel {
  readonly prefix: string;
  clear(): Promise<void>;
}

/**
 * A Redis adapter for a contract suite: each test gets a model on its own connection under
 * a fresh `rapport-test:<uuid>:` prefix; closing it clears the model, checks that no key
 * of it is left, and closes the connection.
 */
export function redisAdapterUnderTest<M extends RedisModel, Port = M>(
  name: string,
  redisUrl: string,
  create: (redis: TestRedis, prefix: string) => Promise<M> | M,
): AdapterUnderTest<Port> {
  const clients = new Map<unknown, { redis: TestRedis; model: M }>();
  return {
    name,
    open: async () => {
      const redis = testRedis(redisUrl);
      const model = await create(redis, `rapport-test:${randomUUID()}:`);
      clients.set(model, { redis, model });
      return model as unknown as Port;
    },
    close: async (port) => {
      const opened = clients.get(port);
      if (!opened) return;
      clients.delete(port);
      await opened.model.clear();
      expect(await dumpRedisKeys(opened.redis, opened.model.prefix)).toEqual({});
      await opened.redis.quit();
    },
  };
}
