-- KEYS: the name index (sorted set of `term \0 identity key`, all scored 0), the latest
--       names (hash: identity key → record JSON)
-- ARGV[1]: a MessagePack array of strings (`packStrings`): per identity —
--          identity key, record JSON, ms, position, t, t × member
-- An identity's name is replaced only by a newer one (by ms, then log position), so applying
-- a batch again, or batches out of order, ends with the same index.
-- The writes are collected and made by a few variadic commands (a name changing on every
-- batch costs its identity an HGET and its changed members, not a ZREM and a ZADD call per
-- term); an identity that comes again in the same call first has the writes before it made,
-- so that it reads them.
local removed, added, records, pending = {}, {}, {}, {}
-- unpack has a stack limit: at most 1000 arguments per call.
local function each_chunk(command, key, list)
  for i = 1, #list, 1000 do
    redis.call(command, key, unpack(list, i, math.min(i + 999, #list)))
  end
end
local function flush()
  each_chunk('ZREM', KEYS[1], removed)
  each_chunk('ZADD', KEYS[1], added)
  each_chunk('HSET', KEYS[2], records)
  removed, added, records, pending = {}, {}, {}, {}
end
local A = cmsgpack.unpack(ARGV[1])
local a = 1
while a <= #A do
  local key, record = A[a], A[a + 1]
  local ms, position, t = tonumber(A[a + 2]), tonumber(A[a + 3]), tonumber(A[a + 4])
  local first, last = a + 5, a + 4 + t
  a = last + 1
  if pending[key] then flush() end
  local newer, kept = true, {}
  local current = redis.call('HGET', KEYS[2], key)
  if current then
    local c = cjson.decode(current)
    if c.ms > ms or (c.ms == ms and c.position >= position) then
      newer = false
    else
      -- A member the new name has too stays (the same name seen again, the common case,
      -- keeps them all: only the record moves); the others go.
      local wanted = {}
      for i = first, last do wanted[A[i]] = true end
      for _, member in ipairs(c.members) do
        if wanted[member] then kept[member] = true else removed[#removed + 1] = member end
      end
    end
  end
  if newer then
    for i = first, last do
      if not kept[A[i]] then
        added[#added + 1] = 0
        added[#added + 1] = A[i]
      end
    end
    records[#records + 1] = key
    records[#records + 1] = record
    pending[key] = true
  end
end
flush()
return 'ok'
