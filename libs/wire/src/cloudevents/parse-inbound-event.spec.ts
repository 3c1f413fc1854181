import { logEventIdFor, toTimelineEntry } from '@rapport/domain';
import { parseInboundEvent } from './parse-inbound-event';
import { toLogEvent } from './to-log-event';

const now = new Date('2026-06-01T12:00:00Z');

function touchpoint(overrides: Record<string, unknown> = {}, data: Record<string, unknown> = {}) {
  return {
    specversion: '1.0',
    id: 'msg-1',
    source: 'adapters/email',
    type: 'touchpoint.recorded.v1',
    time: '2026-05-31T09:30:00+02:00',
    data: {
      channel: 'email',
      direction: 'inbound',
      identity: { kind: 'email', value: 'Ann@Example.com' },
      content: { subject: 'Hello', text: 'A question about my order' },
      ...data,
    },
    ...overrides,
  };
}

function errorsOf(input: unknown) {
  const result = parseInboundEvent(input, { now });
  if (result.ok) throw new Error('expected the input to be refused');
  return result.errors;
}

function survey(answer: unknown) {
  return {
    ...touchpoint({ type: 'survey.responded.v1' }),
    data: {
      identity: { kind: 'email', value: 'ann@example.com' },
      ...(answer === undefined ? {} : { answer }),
    },
  };
}

describe('parseInboundEvent', () => {
  // Each of these threw a TypeError once (a 500 over HTTP, a stalled partition over Kafka).
  it.each([
    [
      'no identity',
      () => touchpoint({}, { identity: undefined }),
      'data.identity',
      'identity is required',
    ],
    [
      'identity: []',
      () => touchpoint({}, { identity: [] }),
      'data.identity',
      'identity must be an object',
    ],
    [
      'identity: null',
      () => touchpoint({}, { identity: null }),
      'data.identity',
      'identity must be an object',
    ],
    [
      'identities: [[]]',
      () => touchpoint({}, { identities: [[]] }),
      'data.identities',
      'each item of identities must be an object',
    ],
    [
      'identities: null',
      () => touchpoint({}, { identities: null }),
      'data.identities',
      'identities must be an array',
    ],
    [
      'content: []',
      () => touchpoint({}, { content: [] }),
      'data.content',
      'content must be an object',
    ],
    ['agent: null', () => touchpoint({}, { agent: null }), 'data.agent', 'agent must be an object'],
    ['a survey without answer', () => survey(undefined), 'data.answer', 'answer is required'],
    ['a survey with answer: []', () => survey([]), 'data.answer', 'answer must be an object'],
    [
      'a date that does not exist',
      () => touchpoint({ time: '2026-02-30T10:00:00Z' }),
      'time',
      'time 2026-02-30 is not a calendar date',
    ],
  ])('refuses %s with a field error instead of throwing', (_, input, path, message) => {
    expect(errorsOf(input())).toContainEqual({ path, message });
  });

  it('reads a leap second as the last millisecond of its minute, in the event too', () => {
    const result = parseInboundEvent(touchpoint({ time: '2025-12-31T23:59:60Z' }), { now });
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.value.occurredAt).toBe('2025-12-31T23:59:59.999Z');
    expect(result.value.cloudEvent.time).toBe('2025-12-31T23:59:59.999Z');
    expect(toLogEvent(result.value).metadata.ce.time).toBe('2025-12-31T23:59:59.999Z');
  });

  it('accepts a valid touchpoint and normalises its identity and time', () => {
    const result = parseInboundEvent(touchpoint(), { now });
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.value.identity).toEqual({ kind: 'email', value: 'ann@example.com' });
    expect(result.value.occurredAt).toBe('2026-05-31T07:30:00.000Z');
    expect(result.value.cloudEvent.type).toBe('touchpoint.recorded.v1');
    expect(result.value.cloudEvent.data?.identity).toEqual({
      kind: 'email',
      value: 'ann@example.com',
    });
  });

  it('refuses unknown fields at every level, naming them', () => {
    const errors = errorsOf(
      touchpoint(
        { colour: 'red' },
        { identity: { kind: 'email', value: 'a@b.co', nick: 'x' }, extra: 1 },
      ),
    );
    const paths = errors.map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['colour', 'data.extra', 'data.identity.nick']));
  });

  it('reports wrong types and values with field paths', () => {
    const errors = errorsOf(touchpoint({}, { channel: 'fax', direction: 42, sentiment: 3 }));
    expect(errors.map((e) => e.path).sort()).toEqual([
      'data.channel',
      'data.direction',
      'data.sentiment',
    ]);
  });

  it('refuses envelopes that are not CloudEvents 1.0 of a known type', () => {
    expect(errorsOf(touchpoint({ specversion: '0.3' })).map((e) => e.path)).toContain(
      'specversion',
    );
    expect(errorsOf(touchpoint({ type: 'touchpoint.recorded' })).map((e) => e.path)).toContain(
      'type',
    );
    expect(errorsOf(touchpoint({ time: 'yesterday' })).map((e) => e.path)).toContain('time');
    // RFC 3339 needs a full date-time with an offset.
    expect(errorsOf(touchpoint({ time: '2026-03-01T09:00:00' })).map((e) => e.path)).toEqual([
      'time',
    ]);
    expect(errorsOf(touchpoint({ time: '2026-03-01' })).map((e) => e.path)).toEqual(['time']);
    expect(errorsOf(touchpoint({ id: '' })).map((e) => e.path)).toContain('id');
    expect(errorsOf([touchpoint()])[0].path).toBe('(root)');
    expect(errorsOf('text')[0].path).toBe('(root)');
  });

  it('bounds sizes', () => {
    const errors = errorsOf(touchpoint({}, { content: { text: 'x'.repeat(64 * 1024 + 1) } }));
    expect(errors[0].path).toBe('data.content.text');
    const many = Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, 'v']));
    expect(errorsOf(touchpoint({}, { metadata: many }))[0].path).toBe('data.metadata');
  });

  it('parses time once per event: the reading of the envelope rule is the one used', () => {
    // The RFC 3339 pattern is the one regular expression with a `[Tt]` in it.
    const exec = jest.spyOn(RegExp.prototype, 'exec');
    const parses = () => exec.mock.contexts.filter((re) => re.source.includes('[Tt]')).length;
    try {
      expect(parseInboundEvent(touchpoint(), { now }).ok).toBe(true);
      expect(parses()).toBe(1);
      exec.mockClear();
      expect(errorsOf(touchpoint({ time: '2025-02-29T00:00:00Z' }))).toEqual([
        { path: 'time', message: 'time 2025-02-29 is not a calendar date' },
      ]);
      expect(parses()).toBe(1);
    } finally {
      exec.mockRestore();
    }
  });

  it('refuses events from the future, allowing for clock skew', () => {
    expect(errorsOf(touchpoint({ time: '2026-06-03T12:00:00Z' }))[0].path).toBe('time');
    expect(parseInboundEvent(touchpoint({ time: '2026-06-01T13:00:00Z' }), { now }).ok).toBe(true);
  });

  it('reports identities that do not normalise', () => {
    expect(errorsOf(touchpoint({}, { identity: { kind: 'phone', value: '12' } }))[0].path).toBe(
      'data.identity.value',
    );
  });

  it('checks survey scores per kind', () => {
    const survey = (answer: object) => ({
      specversion: '1.0',
      id: 's-1',
      source: 'adapters/survey',
      type: 'survey.responded.v1',
      time: '2026-05-30T10:00:00Z',
      data: { identity: { kind: 'email', value: 'a@b.co' }, answer },
    });
    expect(parseInboundEvent(survey({ kind: 'nps', score: 10 }), { now }).ok).toBe(true);
    expect(errorsOf(survey({ kind: 'csat', score: 0 }))[0].path).toBe('data.answer.score');
    expect(errorsOf(survey({ kind: 'nps', score: 11 }))[0].path).toBe('data.answer.score');
  });
});

describe('toLogEvent and toTimelineEntry', () => {
  it('puts a touchpoint on its customer stream with an id derived from source and id', () => {
    const parsed = parseInboundEvent(touchpoint(), { now });
    if (!parsed.ok) throw new Error('invalid');
    const draft = toLogEvent(parsed.value);
    expect(draft.id).toBe(logEventIdFor('adapters/email', 'msg-1'));
    expect(draft.id).not.toBe(logEventIdFor('adapters/chat', 'msg-1'));
    expect(draft.streamId).toBe(`customer-${draft.metadata.customerId}`);
    expect(draft.metadata).toMatchObject({
      identityKey: 'email:ann@example.com',
      occurredAt: '2026-05-31T07:30:00.000Z',
    });

    const entry = toTimelineEntry({ ...draft, position: 7 });
    expect(entry).toMatchObject({
      eventId: draft.id,
      position: 7,
      customerId: draft.metadata.customerId,
      type: 'touchpoint.recorded',
      channel: 'email',
      direction: 'inbound',
      subject: 'Hello',
      excerpt: 'A question about my order',
    });
  });

  it('ignores events that are not timeline material', () => {
    expect(
      toTimelineEntry({ id: 'x', position: 1, type: 'idea.submitted.v1', data: {}, metadata: {} }),
    ).toBeNull();
    expect(
      toTimelineEntry({ id: 'x', position: 1, type: 'garbage', data: {}, metadata: {} }),
    ).toBeNull();
  });
});
