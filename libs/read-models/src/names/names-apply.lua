-- KEYS: the name index (sorted set of `term \0 identity key`, all scored 0), the latest
--       names (hash: identity key → record JSON)
-- ARGV[1]: a MessagePack array of strings (`packStrings`): per identity —
--          identity key, record JSON, ms, position, t, t × member
-- An identity's name is replaced only by a newer one (by ms, then log position), so applying
-- a batch again, or batches out of order, ends with the same index.
local A = cmsgpack.unpack(ARGV[1])
local a = 1
while a <= #A do
  local key, record = A[a], A[a + 1]
  local ms, position, t = tonumber(A[a + 2]), tonumber(A[a + 3]), tonumber(A[a + 4])
  local first, last = a + 5, a + 4 + t
  a = last + 1
  local newer, indexed = true, false
  local current = redis.call('HGET', KEYS[2], key)
  if current then
    local c = cjson.decode(current)
    if c.ms > ms or (c.ms == ms and c.position >= position) then
      newer = false
    else
      -- The same name seen again (the common case) keeps its members: only the record moves.
      indexed = #c.members == t
      for i, member in ipairs(c.members) do
        if member ~= A[first + i - 1] then indexed = false end
      end
      if not indexed then
        for _, member in ipairs(c.members) do redis.call('ZREM', KEYS[1], member) end
      end
    end
  end
  if newer then
    if not indexed then
      for i = first, last do redis.call('ZADD', KEYS[1], 0, A[i]) end
    end
    redis.call('HSET', KEYS[2], key, record)
  end
end
return 'ok'
