-- KEYS: rank, last, latest. ARGV: limit. The latest contact ('' = none), then the top of
-- the ranking as (id, rank key, last contact) triples.
local out = {redis.call('GET', KEYS[3]) or ''}
local page = redis.call('ZREVRANGE', KEYS[1], 0, tonumber(ARGV[1]) - 1, 'WITHSCORES')
if #page == 0 then return out end
local ids = {}
for i = 1, #page, 2 do ids[#ids + 1] = page[i] end
local lasts = redis.call('HMGET', KEYS[2], unpack(ids))
for j = 1, #ids do
  out[#out + 1] = ids[j]; out[#out + 1] = page[2 * j]; out[#out + 1] = lasts[j] or ''
end
return out
