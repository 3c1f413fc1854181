-- KEYS: the name index, the latest names (as names-apply.lua)
-- ARGV: identity keys whose names go (an erasure)
for i = 1, #ARGV do
  local current = redis.call('HGET', KEYS[2], ARGV[i])
  if current then
    for _, member in ipairs(cjson.decode(current).members) do redis.call('ZREM', KEYS[1], member) end
    redis.call('HDEL', KEYS[2], ARGV[i])
  end
end
return 'ok'
