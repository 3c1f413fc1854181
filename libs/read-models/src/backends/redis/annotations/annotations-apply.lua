-- The staff annotations' batch: after the shared checks, ARGV[4] is the key prefix
-- (`<prefix>annotations:`) and ARGV[5] the changes as a JSON array, applied in order:
--   {"k":"note","c":<customer>,"p":<position>,"n":<note JSON>}
--   {"k":"label"|"unlabel","c":<customer>,"l":<label>}
--   {"k":"erase","c":<customer>}
-- notes:<c> is a sorted set of note JSONs scored by position; labels:<c> the customer's
-- labels; label:<l> the customers carrying l. Then the checkpoint moves to ARGV[2].
local p = ARGV[4]
local changes = cjson.decode(ARGV[5])
for _, change in ipairs(changes) do
  local c = change.c
  if change.k == 'note' then
    redis.call('ZADD', p .. 'notes:' .. c, change.p, change.n)
  elseif change.k == 'label' then
    redis.call('SADD', p .. 'labels:' .. c, change.l)
    redis.call('SADD', p .. 'label:' .. change.l, c)
  elseif change.k == 'unlabel' then
    redis.call('SREM', p .. 'labels:' .. c, change.l)
    redis.call('SREM', p .. 'label:' .. change.l, c)
  elseif change.k == 'erase' then
    for _, label in ipairs(redis.call('SMEMBERS', p .. 'labels:' .. c)) do
      redis.call('SREM', p .. 'label:' .. label, c)
    end
    redis.call('DEL', p .. 'labels:' .. c, p .. 'notes:' .. c)
  end
end
redis.call('SET', KEYS[1], ARGV[2])
return {'ok'}
