-- KEYS: the lease. ARGV: the holder's token, the ttl (ms). Extends it only for its holder.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
