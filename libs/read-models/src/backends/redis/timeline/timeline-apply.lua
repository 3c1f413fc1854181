-- KEYS: checkpoint, stream-customer hash, stream-identity hash, graph customers, graph
--       identities, graph pairs, graph event count, the K timeline keys, the K activity
--       keys, the X filter index keys[, fence key last]
-- ARGV: after, upTo, fence token ('' = no fence), then two MessagePack arrays of strings
--       (`packStrings`' format): the entries, unpacked into A —
--         K, then per timeline: g, then per channel: channel, n, n × (score, member),
--         then per hash (KEYS 2–3): m, m × (field, value),
--         then X, then per filter index: n, n × (score, log position) —
--       and the identity graph's changes, unpacked into B —
--         per hash (KEYS 4–6): m, m × (field, value), then the graph event count or ''.
-- Checks come before any write: a script that fails half-way keeps what it wrote. Every
-- write is idempotent (a member added again is not counted again; hash fields are set).
local function hset_from(key, T, a)
  local m = tonumber(T[a])
  -- unpack has a stack limit: at most 1000 arguments (500 pairs) per call.
  for i = a + 1, a + 2 * m, 1000 do
    redis.call('HSET', key, unpack(T, i, math.min(i + 999, a + 2 * m)))
  end
  return a + 2 * m + 1
end
local A = cmsgpack.unpack(ARGV[4])
local K = tonumber(A[1])
local a = 2
for k = 1, K do
  local key = KEYS[7 + k]
  local activity = KEYS[7 + K + k]
  local g = tonumber(A[a])
  a = a + 1
  for j = 1, g do
    local channel = A[a]
    local last = a + 1 + 2 * tonumber(A[a + 1])
    local added = 0
    -- unpack has a stack limit: at most 1000 arguments (500 pairs) per call.
    for i = a + 2, last, 1000 do
      added = added + redis.call('ZADD', key, unpack(A, i, math.min(i + 999, last)))
    end
    -- Counted by what ZADD added: a member added again is not counted again.
    if added > 0 then redis.call('HINCRBY', activity, channel, added) end
    a = last + 1
  end
end
a = hset_from(KEYS[2], A, a)
a = hset_from(KEYS[3], A, a)
-- The filter indexes (per channel, direction and type) of the same entries, in the same
-- script: an index never names an entry its timeline lacks, nor misses one it has.
local X = tonumber(A[a])
a = a + 1
for x = 1, X do
  local last = a + 2 * tonumber(A[a])
  for i = a + 1, last, 1000 do
    redis.call('ZADD', KEYS[7 + 2 * K + x], unpack(A, i, math.min(i + 999, last)))
  end
  a = last + 1
end
local B = cmsgpack.unpack(ARGV[5])
local b = 1
for h = 4, 6 do b = hset_from(KEYS[h], B, b) end
if B[b] ~= '' then redis.call('SET', KEYS[7], B[b]) end
redis.call('SET', KEYS[1], ARGV[2])
return {'ok'}
