-- KEYS: checkpoint, rank, state, last, latest, days, stream-customer, customer-stream,
--       graph customers, graph identities, graph pairs, graph event count, then the F fact
--       buckets, then per customer: old day, new day, old hour, new hour buckets, then the
--       D fact buckets to delete (an erasure's) [, fence key last]
-- ARGV: after, upTo, fence token ('' = none), latest contact ('' = none), F, C, D, then per
--       hash (KEYS 7–11): m, m × (field, value), then the graph event count or '', then per
--       fact bucket: m, m × (eventId, fact JSON), then per customer: id, rank key ('' =
--       out of the rankings), state JSON, last contact, old day ('' = none), new day; then
--       m, m × stream-customer field to delete, m, m × customer-stream field to delete.
-- The shared checks (fence, checkpoint) come before any write. A day's entry in `days` is
-- the highest key filed under it, set once per day the batch touched (after all its moves).
local function batched(command, key, first, last)
  for i = first, last, 1000 do
    redis.call(command, key, unpack(ARGV, i, math.min(i + 999, last)))
  end
end
-- The days whose buckets this batch changed (bucket key -> day), indexed once at the end:
-- a day's entry is its bucket's highest key, whatever order the batch moved customers in.
local touchedDays = {}
local function indexDay(bucket, day)
  local top = redis.call('ZREVRANGE', bucket, 0, 0, 'WITHSCORES')
  if #top == 0 then redis.call('ZREM', KEYS[6], day)
  else redis.call('ZADD', KEYS[6], top[2], day) end
end
local F = tonumber(ARGV[5])
local C = tonumber(ARGV[6])
local D = tonumber(ARGV[7])
local a = 8
for h = 7, 11 do
  local m = tonumber(ARGV[a])
  if m > 0 then batched('HSET', KEYS[h], a + 1, a + 2 * m) end
  a = a + 2 * m + 1
end
if ARGV[a] ~= '' then redis.call('SET', KEYS[12], ARGV[a]) end
a = a + 1
for f = 1, F do
  local m = tonumber(ARGV[a])
  if m > 0 then batched('HSET', KEYS[12 + f], a + 1, a + 2 * m) end
  a = a + 2 * m + 1
end
for k = 1, C do
  local id = ARGV[a]
  local rank = ARGV[a + 1]
  local b = 12 + F + 4 * (k - 1)
  if ARGV[a + 4] ~= '' then
    redis.call('ZREM', KEYS[b + 1], id)
    redis.call('ZREM', KEYS[b + 3], id)
    touchedDays[KEYS[b + 1]] = ARGV[a + 4]
  end
  if rank == '' then
    redis.call('ZREM', KEYS[2], id)
    redis.call('HDEL', KEYS[3], id)
    redis.call('HDEL', KEYS[4], id)
  else
    redis.call('ZADD', KEYS[2], rank, id)
    redis.call('HSET', KEYS[3], id, ARGV[a + 2])
    redis.call('HSET', KEYS[4], id, ARGV[a + 3])
    redis.call('ZADD', KEYS[b + 2], rank, id)
    redis.call('ZADD', KEYS[b + 4], rank, id)
    touchedDays[KEYS[b + 2]] = ARGV[a + 5]
  end
  a = a + 6
end
for bucket, day in pairs(touchedDays) do indexDay(bucket, day) end
for d = 1, D do redis.call('UNLINK', KEYS[12 + F + 4 * C + d]) end
for h = 7, 8 do
  local m = tonumber(ARGV[a])
  if m > 0 then batched('HDEL', KEYS[h], a + 1, a + m) end
  a = a + m + 1
end
if ARGV[4] ~= '' then
  local previous = redis.call('GET', KEYS[5])
  if not previous or tonumber(previous) < tonumber(ARGV[4]) then
    redis.call('SET', KEYS[5], ARGV[4])
  end
end
redis.call('SET', KEYS[1], ARGV[2])
return {'ok'}
