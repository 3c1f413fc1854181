-- KEYS: rank, last. ARGV: limit. The top of the ranking with each one's last contact.
local page = redis.call('ZREVRANGE', KEYS[1], 0, tonumber(ARGV[1]) - 1, 'WITHSCORES')
if #page == 0 then return {} end
local ids = {}
for i = 1, #page, 2 do ids[#ids + 1] = page[i] end
local lasts = redis.call('HMGET', KEYS[2], unpack(ids))
local out = {}
for j = 1, #ids do
  out[#out + 1] = ids[j]; out[#out + 1] = page[2 * j]; out[#out + 1] = lasts[j] or ''
end
return out
