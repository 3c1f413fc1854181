-- KEYS: checkpoint, rank, state, last, latest, days, stream-customer, customer-stream,
--       graph customers, graph identities, graph pairs, graph event count, then the F fact
--       buckets, then the S day and hour buckets the batch's customers move between (each
--       once), then the D fact buckets to delete (an erasure's) [, fence key last]
-- ARGV: after, upTo, fence token ('' = none), then one MessagePack array of strings
--       (`packStrings`' format), unpacked into A: latest contact ('' = none), F, C, D, S,
--       then per hash (KEYS 7–11): m, m × (field, value), then the graph event count or '',
--       then per fact bucket: m, m × (eventId, fact JSON), then per customer: id, rank key
--       ('' = out of the rankings), state JSON, last contact, old day ('' = none), new day,
--       and its old day, new day, old hour and new hour buckets as indices into the S;
--       then m, m × stream-customer field to delete, m, m × customer-stream field to delete.
-- The shared checks (fence, checkpoint) come before any write. A day's entry in `days` is
-- the highest key filed under it, set once per day the batch touched (after all its moves).
local A = cmsgpack.unpack(ARGV[4])
local function batched(command, key, first, last)
  -- unpack has a stack limit: at most 1000 arguments per call.
  for i = first, last, 1000 do
    redis.call(command, key, unpack(A, i, math.min(i + 999, last)))
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
local F = tonumber(A[2])
local C = tonumber(A[3])
local D = tonumber(A[4])
local S = tonumber(A[5])
local a = 6
for h = 7, 11 do
  local m = tonumber(A[a])
  if m > 0 then batched('HSET', KEYS[h], a + 1, a + 2 * m) end
  a = a + 2 * m + 1
end
if A[a] ~= '' then redis.call('SET', KEYS[12], A[a]) end
a = a + 1
for f = 1, F do
  local m = tonumber(A[a])
  if m > 0 then batched('HSET', KEYS[12 + f], a + 1, a + 2 * m) end
  a = a + 2 * m + 1
end
local slot = 12 + F
-- The customers' writes gathered per key, then one command per key (in chunks): removals
-- first, then additions, so a customer staying in a bucket is simply re-scored there.
local removals, additions = {}, {}
local function add(list, index, x, y)
  local t = list[index]
  if not t then t = {}; list[index] = t end
  t[#t + 1] = x
  if y then t[#t + 1] = y end
end
local STATE, LAST, RANK = -1, -2, -3
for k = 1, C do
  local id = A[a]
  local rank = A[a + 1]
  local newDay, newHour = nil, nil
  if rank ~= '' then newDay, newHour = tonumber(A[a + 7]), tonumber(A[a + 9]) end
  if A[a + 4] ~= '' then
    local oldDay, oldHour = tonumber(A[a + 6]), tonumber(A[a + 8])
    if oldDay ~= newDay then add(removals, oldDay, id) end
    if oldHour ~= newHour then add(removals, oldHour, id) end
    touchedDays[oldDay] = A[a + 4]
  end
  if rank == '' then
    add(removals, RANK, id)
    add(removals, STATE, id)
    add(removals, LAST, id)
  else
    add(additions, RANK, rank, id)
    add(additions, STATE, id, A[a + 2])
    add(additions, LAST, id, A[a + 3])
    add(additions, newDay, rank, id)
    add(additions, newHour, rank, id)
    touchedDays[newDay] = A[a + 5]
  end
  a = a + 10
end
local function keyOf(index)
  if index == RANK then return KEYS[2] elseif index == STATE then return KEYS[3]
  elseif index == LAST then return KEYS[4] else return KEYS[slot + index] end
end
local function inChunks(command, key, t, step)
  -- unpack has a stack limit: at most 1000 arguments per call.
  for i = 1, #t, step do redis.call(command, key, unpack(t, i, math.min(i + step - 1, #t))) end
end
for index, t in pairs(removals) do
  local key = keyOf(index)
  inChunks((index == STATE or index == LAST) and 'HDEL' or 'ZREM', key, t, 1000)
end
for index, t in pairs(additions) do
  local key = keyOf(index)
  inChunks((index == STATE or index == LAST) and 'HSET' or 'ZADD', key, t, 1000)
end
for index, day in pairs(touchedDays) do indexDay(KEYS[slot + index], day) end
for d = 1, D do redis.call('UNLINK', KEYS[slot + S + d]) end
for h = 7, 8 do
  local m = tonumber(A[a])
  if m > 0 then batched('HDEL', KEYS[h], a + 1, a + m) end
  a = a + m + 1
end
if A[1] ~= '' then
  local previous = redis.call('GET', KEYS[5])
  if not previous or tonumber(previous) < tonumber(A[1]) then
    redis.call('SET', KEYS[5], A[1])
  end
end
redis.call('SET', KEYS[1], ARGV[2])
return {'ok'}
