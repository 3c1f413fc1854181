-- The checks every batch script makes before its first write: the writer still holds its
-- lease (when ARGV[3] carries a token, the last KEYS entry must hold it) and the model is
-- at the checkpoint the batch continues from (KEYS[1] = ARGV[1]). The model's own body
-- follows: it writes the batch and finally moves the checkpoint to ARGV[2].
local token = ARGV[3]
if token ~= '' then
  local holder = redis.call('GET', KEYS[#KEYS])
  if holder ~= token then return {'fenced', holder or ''} end
end
local current = redis.call('GET', KEYS[1]) or '0'
if tonumber(current) ~= tonumber(ARGV[1]) then return {'checkpoint', current} end
