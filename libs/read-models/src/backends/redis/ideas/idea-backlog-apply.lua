-- KEYS: checkpoint, documents hash, the 6 status sets (IDEA_STATUSES order), the entries
--       hash, the erased hash, the 3 × 6 order sets (per BACKLOG_ORDERS, per status), then
--       the customer and commenter sets[, fence key last]
-- ARGV: after, upTo, fence token ('' = none), V, then per view:
--       id, json, entry json, status index (0: merged, in no status set; 1–6), its member
--       in the order sets (tie key), its 3 scores (minus its value in each order), n,
--       n × index of a set it belongs in, r, r × index of a set it left; then D, D × index
--       of a set to delete (a forgotten person's);
--       then E, E × (hashed customer id, person key) into the erased hash
-- Every check comes before the first write. A forgotten person's sets go first: the views
-- of the batch name no one forgotten (they carry anonymous tokens instead).
local a = 5
local V = tonumber(ARGV[4])
-- Find D and E past the views first (the views are written after the deletes).
local views = a
for v = 1, V do
  a = a + 9 + tonumber(ARGV[a + 8])
  a = a + 1 + tonumber(ARGV[a])
end
local D = tonumber(ARGV[a])
for d = 1, D do redis.call('UNLINK', KEYS[tonumber(ARGV[a + d])]) end
a = a + D + 1
local E = tonumber(ARGV[a])
if E > 0 then redis.call('HSET', KEYS[10], unpack(ARGV, a + 1, a + 2 * E)) end
a = views
for v = 1, V do
  local id, json, entry = ARGV[a], ARGV[a + 1], ARGV[a + 2]
  local status, member, n = tonumber(ARGV[a + 3]), ARGV[a + 4], tonumber(ARGV[a + 8])
  redis.call('HSET', KEYS[2], id, json)
  redis.call('HSET', KEYS[9], id, entry)
  for s = 1, 6 do
    if s == status then redis.call('SADD', KEYS[2 + s], id) else redis.call('SREM', KEYS[2 + s], id) end
    -- The orders a page reads: the idea in its status's, at its scores; in no other.
    for o = 1, 3 do
      local order = KEYS[10 + (o - 1) * 6 + s]
      if s == status then
        redis.call('ZADD', order, ARGV[a + 4 + o], member)
      else
        redis.call('ZREM', order, member)
      end
    end
  end
  for c = 1, n do redis.call('SADD', KEYS[tonumber(ARGV[a + 8 + c])], id) end
  a = a + 9 + n
  local r = tonumber(ARGV[a])
  for c = 1, r do redis.call('SREM', KEYS[tonumber(ARGV[a + c])], id) end
  a = a + 1 + r
end
redis.call('SET', KEYS[1], ARGV[2])
return {'ok'}
