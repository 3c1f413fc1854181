-- KEYS: live pointer, new version's checkpoint, old version's checkpoint, rebuild record,
--       retired set
-- ARGV: the version expected live, the new version, the retired set's member for the old one
-- The new version goes live only when it has applied at least what the old one has (so no
-- reader ever goes back in time); the old one's checkpoint becomes -1, so a batch the live
-- projector was writing to it fails its checkpoint check and the projector resumes from the
-- new version's checkpoint.
local live = redis.call('GET', KEYS[1]) or '0'
if live ~= ARGV[1] then return {'moved', live} end
local new = tonumber(redis.call('GET', KEYS[2]) or '0')
local old = tonumber(redis.call('GET', KEYS[3]) or '0')
if new < old then return {'behind', tostring(new), tostring(old)} end
redis.call('SET', KEYS[1], ARGV[2])
redis.call('SET', KEYS[3], '-1')
redis.call('DEL', KEYS[4])
redis.call('SADD', KEYS[5], ARGV[3])
return {'switched', tostring(new)}
