import { describeWithServices, testRedis, type TestRedis } from '@rapport/testing';
import { packStrings, StringPacker } from './packed-strings';

/** Unpacks in Redis with the Lua `cmsgpack` the batch scripts use, and returns the strings. */
const UNPACK = `
local t = cmsgpack.unpack(ARGV[1])
local out = {}
for i = 1, #t do out[i] = t[i] end
return out
`;

describeWithServices(['redis'], 'packStrings', (urls) => {
  let redis: TestRedis;
  beforeAll(() => {
    redis = testRedis(urls.redis);
  });
  afterAll(async () => {
    await redis.quit();
  });

  it('is read back by Redis as the same strings, at every MessagePack string size', async () => {
    const values = [
      '',
      'a',
      'x'.repeat(31), // the largest fixstr
      'x'.repeat(32), // str 8
      'ü'.repeat(128), // 256 bytes: str 16
      'y'.repeat(65_535),
      'z'.repeat(65_536), // str 32
      'touchpoint — “quoted” … 日本語 😀',
      '0000000000000042{"eventId":"e-1","text":"line\\nbreak"}',
      // Short strings are copied unit by unit while ASCII: non-ASCII first, last, alone.
      'é',
      'Zoë Quist',
      '😀 smile',
      `${'x'.repeat(63)}é`,
      'x'.repeat(64),
      '\u007f\u0080',
    ];
    const reply = (await redis.eval(UNPACK, 0, packStrings(values))) as string[];
    expect(reply).toEqual(values);
  });

  it('packs two strings joined as one, and grows its buffer as strings come', async () => {
    const packer = new StringPacker(0);
    const pairs: [string, string][] = [
      ['0000000000000042', '{"eventId":"e-1","excerpt":"café … 😀"}'],
      ['', 'tail only'],
      ['head only', ''],
      ['', ''],
      ['ü'.repeat(20_000), 'z'.repeat(10_000)], // str 32 room, 50,000 bytes
    ];
    for (const [head, tail] of pairs) packer.pushJoined(head, tail);
    packer.push('x'.repeat(84)); // 3 × 84 ≥ 256: a str 16 header for 84 bytes
    expect(packer.length).toBe(6);
    const reply = (await redis.eval(UNPACK, 0, packer.finish())) as string[];
    expect(reply).toEqual([...pairs.map(([head, tail]) => head + tail), 'x'.repeat(84)]);
  });

  it('packs a batch far longer than a script may take as separate arguments', async () => {
    const values = Array.from({ length: 20_000 }, (_, i) => `member-${i}`);
    const reply = (await redis.eval(UNPACK, 0, packStrings(values))) as string[];
    expect(reply).toHaveLength(20_000);
    expect(reply[19_999]).toBe('member-19999');
  });
});
