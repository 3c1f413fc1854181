-- The staff annotations' batch. KEYS: checkpoint, then every key the changes name [, fence
-- key last]. After the shared checks, ARGV[4] is the changes as a JSON array, applied in
-- order, each naming its keys by their index in KEYS:
--   {"k":"note","n":<notes key>,"p":<position>,"v":<note JSON>}
--   {"k":"label"|"unlabel","c":<customer>,"l":<label>,"s":<labels key>,"t":<label key>}
--   {"k":"erase","c":<customer>,"s":<labels key>,"n":<notes key>,"ls":{<label>:<label key>}}
-- notes:<c> is a sorted set of note JSONs scored by position; labels:<c> the customer's
-- labels; label:<l> the customers carrying l. An erasure's `ls` names the label key of every
-- label the customer carries (read before the batch, and added by it): checked before any
-- write. Then the checkpoint moves to ARGV[2].
local changes = cjson.decode(ARGV[4])
for _, change in ipairs(changes) do
  if change.k == 'erase' then
    for _, label in ipairs(redis.call('SMEMBERS', KEYS[change.s])) do
      if change.ls[label] == nil then return {'undeclared', label} end
    end
  end
end
for _, change in ipairs(changes) do
  local c = change.c
  if change.k == 'note' then
    redis.call('ZADD', KEYS[change.n], change.p, change.v)
  elseif change.k == 'label' then
    redis.call('SADD', KEYS[change.s], change.l)
    redis.call('SADD', KEYS[change.t], c)
  elseif change.k == 'unlabel' then
    redis.call('SREM', KEYS[change.s], change.l)
    redis.call('SREM', KEYS[change.t], c)
  elseif change.k == 'erase' then
    for _, label in ipairs(redis.call('SMEMBERS', KEYS[change.s])) do
      redis.call('SREM', KEYS[change.ls[label]], c)
    end
    redis.call('DEL', KEYS[change.s], KEYS[change.n])
  end
end
redis.call('SET', KEYS[1], ARGV[2])
return {'ok'}
