-- KEYS: days, last. ARGV: boundary day, boundary hour, last contact at most, limit, the
-- prefix of day buckets, the prefix of hour buckets. The threshold walk of quiet-hours.ts,
-- best first: every bucket still to read has a bound (no entry left in it is above it: a
-- whole day's is its highest key in the index of days, read lazily; once read, the last key
-- read), and the walk always reads the next few entries of the bucket with the highest bound
-- — 4, then 8, up to 32 at a time — until no bound left can beat the limit-th best found.
-- The hours of the boundary day have no bound until read; in the boundary hour, customers
-- seen after the bound are skipped. Once the list is full, a bucket is read only down to its
-- worst key. Bucket names are built here from the prefixes, which carry the model's hash
-- tag: on Redis Cluster they are in the slot of KEYS (ADR 0043).
local boundaryDay = tonumber(ARGV[1])
local boundaryHour = tonumber(ARGV[2])
local atMost = tonumber(ARGV[3])
local limit = tonumber(ARGV[4])
local dayPrefix = ARGV[5]
local hourPrefix = ARGV[6]
local ids, keys, scores = {}, {}, {}
local function better(k1, id1, k2, id2)
  if k1 ~= k2 then return k1 > k2 end
  return id1 > id2
end
local function insert(id, k, score)
  if #ids >= limit and not better(k, id, keys[#ids], ids[#ids]) then return end
  local lo, hi = 1, #ids + 1
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    if better(keys[mid], ids[mid], k, id) then lo = mid + 1 else hi = mid end
  end
  table.insert(ids, lo, id); table.insert(keys, lo, k); table.insert(scores, lo, score)
  if #ids > limit then table.remove(ids); table.remove(keys); table.remove(scores) end
end
-- Sources: buckets not read to their end, each with a bound (no entry left in it is above
-- it) and how far it was read. The boundary day's hours have no bound until read.
local sources = {}
for hour = boundaryDay * 24, boundaryHour do
  sources[#sources + 1] = { key = hourPrefix .. hour, bound = math.huge, offset = 0, size = 4, filtered = hour == boundaryHour }
end
-- Whole days before the boundary day, from the index of days by their highest key.
local page, at, from, done = {}, 1, 0, false
local function nextDay()
  while true do
    if at > #page then
      if done then return nil end
      page = redis.call('ZREVRANGE', KEYS[1], from, from + 31, 'WITHSCORES')
      from = from + 32
      at = 1
      if #page < 64 then done = true end
      if #page == 0 then return nil end
    end
    local day = tonumber(page[at])
    local highest = tonumber(page[at + 1])
    at = at + 2
    if day < boundaryDay then
      return { key = dayPrefix .. page[at - 2], bound = highest, offset = 0, size = 4, filtered = false }
    end
  end
end
local pending = nextDay()
while true do
  -- The source that may hold the best entry not read yet.
  local best = 0
  for i = 1, #sources do
    if best == 0 or sources[i].bound > sources[best].bound then best = i end
  end
  local source
  if pending and (best == 0 or pending.bound >= sources[best].bound) then
    source = pending
    pending = nextDay()
  elseif best > 0 then
    source = table.remove(sources, best)
  else
    break
  end
  if #ids >= limit and source.bound < keys[#ids] then break end
  local entries
  if #ids >= limit then
    entries = redis.call('ZREVRANGEBYSCORE', source.key, '+inf', scores[#ids], 'WITHSCORES', 'LIMIT', source.offset, source.size)
  else
    entries = redis.call('ZREVRANGE', source.key, source.offset, source.offset + source.size - 1, 'WITHSCORES')
  end
  local lasts = nil
  if source.filtered and #entries > 0 then
    local chunk = {}
    for j = 1, #entries, 2 do chunk[#chunk + 1] = entries[j] end
    lasts = redis.call('HMGET', KEYS[2], unpack(chunk))
  end
  local lastKey = source.bound
  for j = 1, #entries, 2 do
    lastKey = tonumber(entries[j + 1])
    if lasts == nil or tonumber(lasts[(j + 1) / 2]) <= atMost then
      insert(entries[j], lastKey, entries[j + 1])
    end
  end
  if #entries == 2 * source.size then
    source.offset = source.offset + source.size
    source.bound = lastKey
    source.size = math.min(source.size * 2, 32)
    sources[#sources + 1] = source
  end
end
if #ids == 0 then return {} end
local lasts = redis.call('HMGET', KEYS[2], unpack(ids))
local out = {}
for j = 1, #ids do
  out[#out + 1] = ids[j]; out[#out + 1] = scores[j]; out[#out + 1] = lasts[j] or ''
end
return out
