-- KEYS: checkpoint, documents hash, the 6 status sets (IDEA_STATUSES order), the entries
--       hash, then the customer sets[, fence key last]
-- ARGV: after, upTo, fence token ('' = none), V, then per view:
--       id, json, entry json, status index (0: merged, in no status set; 1–6), n,
--       n × customer key index
-- Every check comes before the first write.
local a = 5
for v = 1, tonumber(ARGV[4]) do
  local id, json, entry = ARGV[a], ARGV[a + 1], ARGV[a + 2]
  local status, n = tonumber(ARGV[a + 3]), tonumber(ARGV[a + 4])
  redis.call('HSET', KEYS[2], id, json)
  redis.call('HSET', KEYS[9], id, entry)
  for s = 1, 6 do
    if s == status then redis.call('SADD', KEYS[2 + s], id) else redis.call('SREM', KEYS[2 + s], id) end
  end
  for c = 1, n do redis.call('SADD', KEYS[tonumber(ARGV[a + 4 + c])], id) end
  a = a + 5 + n
end
redis.call('SET', KEYS[1], ARGV[2])
return {'ok'}
