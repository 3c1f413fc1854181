import { INBOUND_EVENT_SCHEMAS } from '../event-catalog';
import { parseEventType } from '../event-type';
import { EVENT_UPCASTERS, upcastToLatest } from './event-upcasters';
import { type Upcaster, UpcasterChain } from './upcaster';

/** A test-only chain over three versions: v1 `{ name }` → v2 `{ fullName }` → v3 `{ fullName, tags }`. */
const testChain: Upcaster[] = [
  {
    name: 'thing.happened',
    fromVersion: 2,
    upcast: (data) => ({ ...(data as object), tags: [] }),
  },
  {
    name: 'thing.happened',
    fromVersion: 1,
    upcast: (data) => ({ fullName: (data as { name: string }).name }),
  },
];

describe('UpcasterChain', () => {
  const chain = new UpcasterChain(testChain);

  it('applies every step from the stored version to the newest, in order', () => {
    const v1 = { id: 'e1', position: 7, type: 'thing.happened.v1', data: { name: 'Ann' } };
    expect(chain.upcast(v1)).toEqual({
      id: 'e1',
      position: 7,
      type: 'thing.happened.v3',
      data: { fullName: 'Ann', tags: [] },
    });
    expect(chain.upcast({ type: 'thing.happened.v2', data: { fullName: 'Bo' } })).toEqual({
      type: 'thing.happened.v3',
      data: { fullName: 'Bo', tags: [] },
    });
    expect(chain.newestVersion('thing.happened')).toBe(3);
  });

  it('hands back the newest version and unknown types as they are, and never mutates its input', () => {
    const v3 = { type: 'thing.happened.v3', data: { fullName: 'Cy', tags: ['x'] } };
    expect(chain.upcast(v3)).toBe(v3);
    const other = { type: 'other.v1', data: {} };
    expect(chain.upcast(other)).toBe(other);
    const v1 = Object.freeze({ type: 'thing.happened.v1', data: Object.freeze({ name: 'Di' }) });
    chain.upcast(v1);
    expect(v1).toEqual({ type: 'thing.happened.v1', data: { name: 'Di' } });
  });

  it('refuses a chain with a gap or two steps from one version', () => {
    expect(() => new UpcasterChain([{ ...testChain[0] }])).toThrow(
      'no upcaster from thing.happened.v1 to v2',
    );
    expect(() => new UpcasterChain([testChain[1], testChain[1]])).toThrow(
      'two upcasters from thing.happened.v1',
    );
  });
});

describe('the platform upcasters', () => {
  it('read survey.responded.v1 as v2, making the implicit channel explicit', () => {
    const metadata = { customerId: 'c' };
    expect(
      upcastToLatest({
        type: 'survey.responded.v1',
        data: { identity: { kind: 'email', value: 'a@b.c' }, answer: { kind: 'nps', score: 9 } },
        metadata,
      }),
    ).toEqual({
      type: 'survey.responded.v2',
      data: {
        identity: { kind: 'email', value: 'a@b.c' },
        channel: 'survey',
        answer: { kind: 'nps', score: 9 },
      },
      metadata,
    });
    expect(
      upcastToLatest({ type: 'survey.responded.v1', data: { channel: 'web', answer: {} } }).data,
    ).toEqual({ channel: 'web', answer: {} });
  });

  it('end at the newest version the inbound catalog accepts, for every event name', () => {
    const chain = new UpcasterChain(EVENT_UPCASTERS);
    const newestInCatalog = new Map<string, number>();
    for (const type of INBOUND_EVENT_SCHEMAS.keys()) {
      const { name, version } = parseEventType(type)!;
      newestInCatalog.set(name, Math.max(newestInCatalog.get(name) ?? 0, version));
    }
    for (const [name, newest] of newestInCatalog)
      expect([name, chain.newestVersion(name) ?? 1]).toEqual([name, newest]);
  });
});
