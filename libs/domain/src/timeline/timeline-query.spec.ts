import { decodeCursor, encodeCursor, parseTimelineQuery } from './timeline-query';

describe('parseTimelineQuery', () => {
  it('parses lists, times, limit and cursor', () => {
    const cursor = encodeCursor({ occurredAt: '2026-01-01T00:00:00.000Z', position: 12 });
    const result = parseTimelineQuery({
      channel: 'email,chat',
      direction: 'inbound',
      type: 'touchpoint.recorded',
      from: '2026-01-01',
      to: '2026-02-01T00:00:00+01:00',
      limit: '20',
      cursor,
    });
    expect(result).toEqual({
      ok: true,
      value: {
        channels: ['email', 'chat'],
        directions: ['inbound'],
        types: ['touchpoint.recorded'],
        from: '2026-01-01T00:00:00.000Z',
        to: '2026-01-31T23:00:00.000Z',
        limit: 20,
        cursor: { occurredAtMs: Date.parse('2026-01-01T00:00:00Z'), position: 12 },
      },
    });
  });

  it('names every bad parameter', () => {
    const result = parseTimelineQuery({
      channel: 'fax',
      direction: 'sideways',
      from: 'soon',
      limit: '0',
      cursor: 'zzz',
    });
    expect(!result.ok && result.errors.map((e) => e.path).sort()).toEqual([
      'channel',
      'cursor',
      'direction',
      'from',
      'limit',
    ]);
  });

  it('round-trips cursors and refuses forged ones', () => {
    expect(
      decodeCursor(encodeCursor({ occurredAt: '2026-03-04T05:06:07.089Z', position: 3 })),
    ).toEqual({
      occurredAtMs: Date.parse('2026-03-04T05:06:07.089Z'),
      position: 3,
    });
    expect(decodeCursor(Buffer.from('1:2:3').toString('base64url'))).toBeNull();
  });
});
