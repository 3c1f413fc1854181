-- KEYS: checkpoint, rank, state, last, latest, days, stream-customer, customer-stream,
--       graph customers, graph identities, graph pairs, graph event count, then the day and
--       hour buckets the batch's customers move between (each once) [, fence key last]
-- ARGV: after, upTo, fence token ('' = none), then one MessagePack array of strings
--       (`packStrings`' format), unpacked into A: latest contact ('' = none), the prefix of
--       the fact buckets' keys, F, R, T, then per hash (KEYS 7–11): m, m × (field, value),
--       then the graph event count or '', then per fact bucket: its name (its key is the
--       prefix and the name: the script names these keys, all in the model's slot), m,
--       m × (eventId, fact JSON), then R runs of the customers' writes, each one command on
--       one key — command, index of its key in KEYS, m, m arguments (removals come first) —
--       then T × (index of a day bucket in KEYS, its day), then m, m × fact bucket to delete
--       with its stream (an erasure's), m, m × customer whose stream goes.
-- The shared checks (fence, checkpoint) come before any write. A day's entry in `days` is
-- the highest key filed under it, set once per day the batch touched (after all its moves).
local A = cmsgpack.unpack(ARGV[4])
local function batched(command, key, first, last)
  -- unpack has a stack limit: at most 1000 arguments per call.
  for i = first, last, 1000 do
    redis.call(command, key, unpack(A, i, math.min(i + 999, last)))
  end
end
local FACTS = A[2]
local F = tonumber(A[3])
local R = tonumber(A[4])
local T = tonumber(A[5])
local a = 6
for h = 7, 11 do
  local m = tonumber(A[a])
  if m > 0 then batched('HSET', KEYS[h], a + 1, a + 2 * m) end
  a = a + 2 * m + 1
end
if A[a] ~= '' then redis.call('SET', KEYS[12], A[a]) end
a = a + 1
for f = 1, F do
  local m = tonumber(A[a + 1])
  if m > 0 then batched('HSET', FACTS .. A[a], a + 2, a + 1 + 2 * m) end
  a = a + 2 * m + 2
end
for r = 1, R do
  local m = tonumber(A[a + 2])
  batched(A[a], KEYS[tonumber(A[a + 1])], a + 3, a + 2 + m)
  a = a + m + 3
end
for t = 1, T do
  local bucket, day = KEYS[tonumber(A[a])], A[a + 1]
  local top = redis.call('ZREVRANGE', bucket, 0, 0, 'WITHSCORES')
  if #top == 0 then redis.call('ZREM', KEYS[6], day)
  else redis.call('ZADD', KEYS[6], top[2], day) end
  a = a + 2
end
local m = tonumber(A[a])
for d = a + 1, a + m do redis.call('UNLINK', FACTS .. A[d]) end
if m > 0 then batched('HDEL', KEYS[7], a + 1, a + m) end
a = a + m + 1
m = tonumber(A[a])
if m > 0 then batched('HDEL', KEYS[8], a + 1, a + m) end
if A[1] ~= '' then
  local previous = redis.call('GET', KEYS[5])
  if not previous or tonumber(previous) < tonumber(A[1]) then
    redis.call('SET', KEYS[5], A[1])
  end
end
redis.call('SET', KEYS[1], ARGV[2])
return {'ok'}
