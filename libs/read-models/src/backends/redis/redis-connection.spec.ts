import {
  InvalidRedisPrefixError,
  isRedisClusterUrl,
  parseRedisReadModelsUrl,
} from './redis-connection';

describe('the read models’ Redis URL', () => {
  it('names one server, with its key prefix apart', () => {
    expect(parseRedisReadModelsUrl('redis://127.0.0.1:6379/0?prefix=rapport:v2:')).toEqual({
      cluster: false,
      redisUrl: 'redis://127.0.0.1:6379/0',
      prefix: 'rapport:v2:',
    });
    expect(parseRedisReadModelsUrl('rediss://h:6380').prefix).toBe('rapport:');
  });

  it('names a cluster by its seed nodes, with database 0, credentials and TLS', () => {
    expect(isRedisClusterUrl('redis-cluster://a:7001,b:7002')).toBe(true);
    expect(isRedisClusterUrl('redis://a:7001')).toBe(false);
    expect(parseRedisReadModelsUrl('redis-cluster://a:7001,b:7002/0?prefix=t:')).toEqual({
      cluster: true,
      nodes: [
        { host: 'a', port: 7001 },
        { host: 'b', port: 7002 },
      ],
      tls: false,
      prefix: 't:',
    });
    expect(parseRedisReadModelsUrl('rediss-cluster://u:p%40ss@a:7001,b')).toMatchObject({
      cluster: true,
      nodes: [
        { host: 'a', port: 7001 },
        { host: 'b', port: 6379 },
      ],
      username: 'u',
      password: 'p@ss',
      tls: true,
      prefix: 'rapport:',
    });
  });

  it('refuses a cluster database other than 0, a node without a host, and a prefix with braces', () => {
    expect(() => parseRedisReadModelsUrl('redis-cluster://a:7001/1')).toThrow(/database 0 only/);
    expect(() => parseRedisReadModelsUrl('redis-cluster://a:7001,:7002')).toThrow(/host:port/);
    expect(() => parseRedisReadModelsUrl('redis://a:6379?prefix=x{y}:')).toThrow(
      InvalidRedisPrefixError,
    );
  });
});
