-- KEYS: checkpoint, stream-customer hash, stream-identity hash, graph customers, graph
--       identities, graph pairs, graph event count[, fence key last]
-- ARGV: after, upTo, fence token ('' = no fence), then two MessagePack arrays of strings
--       (`packStrings`' format): the entries, unpacked into A —
--         K, then per timeline: its identity key, g, then per channel: channel, n,
--         n × (score, member), n × (direction, type),
--         then per hash (KEYS 2–3): m, m × (field, value) —
--       and the identity graph's changes, unpacked into B —
--         per hash (KEYS 4–6): m, m × (field, value), then the graph event count or '' —
--       then the prefixes of the timeline, activity and filter index keys (each followed
--       by the identity key; an index's by `dimension:value:` first), and the number of
--       entries a timeline holds before it has filter indexes.
-- The per-identity keys are named here rather than passed: they share the checkpoint's
-- hash tag (its slot), and a batch of 1,000 entries would otherwise pass some 5,000 keys.
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
local function zadd_all(key, members)
  for i = 1, #members, 1000 do
    redis.call('ZADD', key, unpack(members, i, math.min(i + 999, #members)))
  end
end
local TIMELINE, ACTIVITY, BY, INDEX_FROM = ARGV[6], ARGV[7], ARGV[8], tonumber(ARGV[9])
-- As `encodeURIComponent` writes a value into an index key (UTF-8 bytes as %XX).
local encoded = {}
local function enc(value)
  local e = encoded[value]
  if not e then
    e = string.gsub(value, "[^%w%-_%.!~%*'%(%)]", function(c)
      return string.format('%%%02X', string.byte(c))
    end)
    encoded[value] = e
  end
  return e
end
-- index key → its (score, position) pairs, for the timelines that have indexes
local indexed = {}
local function index(dimension, value, bucket, score, position)
  local key = BY .. dimension .. ':' .. enc(value) .. ':' .. bucket
  local members = indexed[key]
  if not members then
    members = {}
    indexed[key] = members
  end
  members[#members + 1] = score
  members[#members + 1] = position
end
local A = cmsgpack.unpack(ARGV[4])
local K = tonumber(A[1])
local a = 2
for k = 1, K do
  local bucket = A[a]
  local key = TIMELINE .. bucket
  local activity = ACTIVITY .. bucket
  local g = tonumber(A[a + 1])
  a = a + 2
  local added = 0
  local groups = {} -- where each channel's entries start in A, and how many
  for j = 1, g do
    local channel, n = A[a], tonumber(A[a + 1])
    local first, last = a + 2, a + 1 + 2 * n
    local added_here = 0
    -- unpack has a stack limit: at most 1000 arguments (500 pairs) per call.
    for i = first, last, 1000 do
      added_here = added_here + redis.call('ZADD', key, unpack(A, i, math.min(i + 999, last)))
    end
    -- Counted by what ZADD added: a member added again is not counted again.
    if added_here > 0 then redis.call('HINCRBY', activity, channel, added_here) end
    added = added + added_here
    groups[j] = {channel, first, n}
    a = last + 2 * n + 1
  end
  -- A short timeline is read whole by a filtered page: its indexes start once it holds more
  -- than INDEX_FROM entries, filled then from every entry it holds, and kept from then on.
  local card = redis.call('ZCARD', key)
  if card > INDEX_FROM then
    if card - added <= INDEX_FROM then
      local all = redis.call('ZRANGE', key, 0, -1, 'WITHSCORES')
      for i = 1, #all, 2 do
        local e = cjson.decode(string.sub(all[i], 17))
        local position = string.sub(all[i], 1, 16)
        index('channel', e.channel, bucket, all[i + 1], position)
        index('direction', e.direction, bucket, all[i + 1], position)
        index('type', e.type, bucket, all[i + 1], position)
      end
    else
      for _, group in ipairs(groups) do
        local channel, first, n = group[1], group[2], group[3]
        for i = 0, n - 1 do
          local score, position = A[first + 2 * i], string.sub(A[first + 2 * i + 1], 1, 16)
          local facts = first + 2 * n + 2 * i
          index('channel', channel, bucket, score, position)
          index('direction', A[facts], bucket, score, position)
          index('type', A[facts + 1], bucket, score, position)
        end
      end
    end
  end
end
a = hset_from(KEYS[2], A, a)
a = hset_from(KEYS[3], A, a)
-- The filter indexes of the same entries, in the same script: an index never names an entry
-- its timeline lacks, nor misses one it has.
for key, members in next, indexed do zadd_all(key, members) end
local B = cmsgpack.unpack(ARGV[5])
local b = 1
for h = 4, 6 do b = hset_from(KEYS[h], B, b) end
if B[b] ~= '' then redis.call('SET', KEYS[7], B[b]) end
redis.call('SET', KEYS[1], ARGV[2])
return {'ok'}
