import { TraceFlags } from '@opentelemetry/api';
import fc from 'fast-check';
import { CloudEventEnvelope } from '../cloudevents/cloud-event-envelope';
import { parseInboundEvent } from '../cloudevents/parse-inbound-event';
import {
  storedTraceContext,
  takeTraceContext,
  withoutTraceContext,
  withTraceAttributes,
} from './cloud-event-trace';
import {
  parseTraceContext,
  samplerFollowsParent,
  traceContextFields,
  unsampledChildOf,
} from './trace-context';
import { context, trace } from '@opentelemetry/api';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';
const VALID = `00-${TRACE_ID}-${SPAN_ID}-01`;

const hex = (length: number) =>
  fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: length, maxLength: length });
/** A valid version-00 traceparent: non-zero ids, any flags. */
const validTraceparent = fc
  .tuple(hex(32), hex(16), hex(2))
  .filter(([t, s]) => !/^0+$/.test(t) && !/^0+$/.test(s))
  .map(([t, s, f]) => `00-${t}-${s}-${f}`);

describe('parseTraceContext (W3C traceparent, strictly)', () => {
  it('reads a valid traceparent and tracestate as a remote span context', () => {
    expect(parseTraceContext(VALID, 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE')).toMatchObject({
      traceId: TRACE_ID,
      spanId: SPAN_ID,
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true,
    });
    expect(parseTraceContext(VALID)?.traceState).toBeUndefined();
  });

  it.each([
    ['upper-case hex', VALID.toUpperCase()],
    ['version ff', `ff-${TRACE_ID}-${SPAN_ID}-01`],
    ['an all-zero trace id', `00-${'0'.repeat(32)}-${SPAN_ID}-01`],
    ['an all-zero parent id', `00-${TRACE_ID}-${'0'.repeat(16)}-01`],
    ['a short trace id', `00-${TRACE_ID.slice(1)}-${SPAN_ID}-01`],
    ['extra fields on version 00', `${VALID}-extra`],
    ['surrounding spaces', ` ${VALID} `],
    ['no flags', `00-${TRACE_ID}-${SPAN_ID}`],
    ['an empty string', ''],
    ['a very long value', `01-${TRACE_ID}-${SPAN_ID}-01-${'x'.repeat(600)}`],
    ['a number', 42],
    ['an object', { traceparent: VALID }],
    ['null', null],
  ])('ignores %s', (_, value) => {
    expect(parseTraceContext(value)).toBeUndefined();
  });

  it('reads a future version with extra fields (W3C: parse what version 00 defines)', () => {
    expect(parseTraceContext(`01-${TRACE_ID}-${SPAN_ID}-01-future`)?.traceId).toBe(TRACE_ID);
  });

  it('drops an invalid tracestate alone', () => {
    const parsed = parseTraceContext(VALID, 'not a = valid,,, state'.repeat(40));
    expect(parsed?.traceId).toBe(TRACE_ID);
    expect(parsed?.traceState?.serialize() ?? '').toBe('');
  });

  it('property: any value, any tracestate: never throws; a result is always a valid context', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.string({ unit: 'binary' }), validTraceparent, fc.anything()),
        fc.oneof(fc.string(), fc.anything()),
        (traceparent, tracestate) => {
          const parsed = parseTraceContext(traceparent, tracestate);
          if (parsed === undefined) return;
          expect(parsed.traceId).toMatch(/^[0-9a-f]{32}$/);
          expect(parsed.spanId).toMatch(/^[0-9a-f]{16}$/);
          expect(parsed.traceId).not.toMatch(/^0+$/);
          expect(parsed.spanId).not.toMatch(/^0+$/);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('property: a valid traceparent goes round trip, and a mutated one is read as written or not at all', () => {
    fc.assert(
      fc.property(
        validTraceparent,
        fc.nat(54),
        fc.string({ minLength: 1, maxLength: 1 }),
        (tp, at, ch) => {
          const parsed = parseTraceContext(tp);
          expect(parsed).toBeDefined();
          expect(traceContextFields(parsed!)?.traceparent).toBe(
            // flags other than "sampled" are not propagated by OpenTelemetry
            `${tp.slice(0, 53)}${(parseInt(tp.slice(53), 16) & 1).toString(16).padStart(2, '0')}`,
          );
          const mutated = tp.slice(0, at) + ch + tp.slice(at + 1);
          const again = parseTraceContext(mutated);
          if (again) expect(mutated.slice(3, 35)).toBe(again.traceId);
        },
      ),
    );
  });
});

describe('the CloudEvents distributed-tracing extension', () => {
  const event = () => ({
    specversion: '1.0',
    id: 'mail-1',
    source: 'adapters/email',
    type: 'touchpoint.recorded.v1',
    time: '2026-03-01T09:00:00Z',
    data: {
      channel: 'email',
      direction: 'inbound',
      identity: { kind: 'email', value: 'ann@example.com' },
      content: { text: 'hello' },
    },
  });
  const parse = (input: unknown) =>
    parseInboundEvent(input, { now: new Date('2026-03-02T00:00:00Z') });

  it('takes the attributes off a decoded event, so that validation (which refuses extensions) accepts it', () => {
    const decoded: Record<string, unknown> = { ...event(), traceparent: VALID, tracestate: 'a=b' };
    expect(parse(decoded).ok).toBe(false); // extension attributes are refused…
    expect(takeTraceContext(decoded)).toMatchObject({ traceId: TRACE_ID, spanId: SPAN_ID });
    expect(decoded).toEqual(event());
    expect(parse(decoded).ok).toBe(true); // …and gone once taken
  });

  it('takes an invalid trace context off too, and reports none', () => {
    const decoded: Record<string, unknown> = {
      ...event(),
      traceparent: '00-nonsense',
      tracestate: 7,
    };
    expect(takeTraceContext(decoded)).toBeUndefined();
    expect(parse(decoded).ok).toBe(true);
  });

  it('withoutTraceContext copies: the input stays as it was', () => {
    const input = { ...event(), traceparent: VALID };
    const { event: copy, carried } = withoutTraceContext(input);
    expect(carried?.spanId).toBe(SPAN_ID);
    expect(input.traceparent).toBe(VALID);
    expect(copy).toEqual(event());
    const plain = event();
    expect(withoutTraceContext(plain).event).toBe(plain);
    for (const odd of [null, 'x', 7, [VALID]])
      expect(withoutTraceContext(odd)).toEqual({ event: odd });
  });

  it('property: hostile trace attributes never make a valid touchpoint invalid, nor throw', () => {
    fc.assert(
      fc.property(fc.anything(), fc.anything(), (traceparent, tracestate) => {
        const { event: stripped } = withoutTraceContext({ ...event(), traceparent, tracestate });
        expect(parse(stripped).ok).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('adds the attributes of a span context, and reads them back from stored metadata', () => {
    const spanContext = parseTraceContext(VALID, 'rojo=1')!;
    const attributes = withTraceAttributes({ time: 't' }, spanContext);
    expect(attributes).toEqual({ time: 't', traceparent: VALID, tracestate: 'rojo=1' });
    expect(storedTraceContext({ trace: attributes })?.spanId).toBe(SPAN_ID);
    for (const metadata of [undefined, null, {}, { trace: 'x' }, { trace: { traceparent: 'x' } }])
      expect(storedTraceContext(metadata)).toBeUndefined();
  });

  it('the envelope still refuses other extension attributes', () => {
    expect(Object.keys(new CloudEventEnvelope())).not.toContain('traceparent');
    const result = parse({ ...event(), partitionkey: 'k' });
    expect(result.ok).toBe(false);
  });
});

describe('a child of an unsampled span is not started (parent-based sampling)', () => {
  const at = (traceparent: string) =>
    trace.setSpanContext(context.active(), parseTraceContext(traceparent)!);

  it('gives the unsampled parent itself, and nothing for a sampled parent or none', () => {
    const unsampled = at(`00-${TRACE_ID}-${SPAN_ID}-00`);
    expect(unsampledChildOf(unsampled)).toBe(trace.getSpan(unsampled));
    expect(unsampledChildOf(at(VALID))).toBeUndefined();
    expect(unsampledChildOf(context.active())).toBeUndefined();
  });

  it('only where the sampler keeps the parent’s decision (the default, parentbased_*)', () => {
    expect(samplerFollowsParent({})).toBe(true);
    expect(samplerFollowsParent({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio' })).toBe(true);
    expect(samplerFollowsParent({ OTEL_TRACES_SAMPLER: ' ParentBased_Always_Off ' })).toBe(true);
    expect(samplerFollowsParent({ OTEL_TRACES_SAMPLER: 'always_on' })).toBe(false);
    expect(samplerFollowsParent({ OTEL_TRACES_SAMPLER: 'traceidratio' })).toBe(false);
  });
});
