import fc from 'fast-check';
import {
  applyClosenessFact,
  type ClosenessFact,
  type ClosenessState,
  DEFAULT_CLOSENESS_CONFIG,
  emptyClosenessState,
  ownedClosenessState,
  REMEMBERED_CONVERSATIONS,
} from '@rapport/domain';
import { packStrings } from '../packed-strings';
import { applyToWritten, stateJson, writtenState } from './state-json';
import { ClosenessPacker } from './state-packer';

const config = DEFAULT_CLOSENESS_CONFIG;
const T0 = Date.UTC(2026, 0, 1);

/** The strings of a MessagePack array of strings (the subset the packers write). */
function unpack(packed: Buffer): string[] {
  expect(packed[0]).toBe(0xdd);
  const count = packed.readUInt32BE(1);
  const out: string[] = [];
  let at = 5;
  for (let i = 0; i < count; i++) {
    const type = packed[at];
    let bytes: number;
    if ((type & 0xe0) === 0xa0) {
      bytes = type & 0x1f;
      at += 1;
    } else if (type === 0xd9) {
      bytes = packed[at + 1];
      at += 2;
    } else if (type === 0xda) {
      bytes = packed.readUInt16BE(at + 1);
      at += 3;
    } else {
      expect(type).toBe(0xdb);
      bytes = packed.readUInt32BE(at + 1);
      at += 5;
    }
    out.push(packed.toString('utf8', at, at + bytes));
    at += bytes;
  }
  expect(at).toBe(packed.length);
  return out;
}

function touchpoint(
  customerId: string,
  i: number,
  conversation: string | null,
  inbound: boolean,
  channel: 'email' | 'chat' | 'phone',
): ClosenessFact {
  return {
    eventId: `e-${i}`,
    position: i + 1,
    customerId,
    bucket: 'email:c1@example.com',
    occurredAtMs: T0 + i * 3_600_000,
    kind: 'touchpoint',
    channel,
    direction: inbound ? 'inbound' : 'outbound',
    ...(conversation === null ? {} : { conversationId: conversation }),
    ...(i % 3 === 0 ? { sentiment: (i % 7) / 7 - 0.4 } : {}),
  };
}

describe('ClosenessPacker', () => {
  it('packs a written state as the bytes of its JSON, among other strings, batch after batch', () => {
    const text = fc.oneof(
      fc.string({ maxLength: 80 }),
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.constantFrom('c-"1"\\', 'ü'.repeat(30), 'x'.repeat(100), '日本語 😀'),
    );
    const fact = fc.record({
      conversation: fc.option(fc.nat(2 * REMEMBERED_CONVERSATIONS), { nil: null }),
      inbound: fc.boolean(),
      channel: fc.constantFrom('email' as const, 'chat' as const, 'phone' as const),
    });
    fc.assert(
      fc.property(
        text,
        text,
        fc.array(fact, { maxLength: 2 * REMEMBERED_CONVERSATIONS }),
        fc.array(fc.nat(), { maxLength: 10 }),
        fc.array(text, { maxLength: 5 }),
        (customerId, conversationTag, facts, cuts, others) => {
          let pure: ClosenessState = emptyClosenessState(customerId, config);
          const written = writtenState(ownedClosenessState(pure));
          const ends = new Set(cuts.map((c) => c % (facts.length + 1)));
          ends.add(facts.length);
          facts.forEach((f, i) => {
            const conversation =
              f.conversation === null ? null : `${conversationTag}-${f.conversation}`;
            const next = touchpoint(customerId, i, conversation, f.inbound, f.channel);
            pure = applyClosenessFact(pure, next, config).state;
            applyToWritten(written, next, config);
            if (!ends.has(i + 1)) return;
            // A small buffer: the packer grows it.
            const packer = new ClosenessPacker(16);
            for (const other of others) packer.push(other);
            packer.pushState(written);
            packer.push(customerId);
            packer.pushState(written);
            expect(packer.length).toBe(others.length + 3);
            const json = JSON.stringify(pure);
            expect(stateJson(written.state, written.conversations)).toBe(json);
            expect(unpack(packer.finish())).toEqual([...others, json, customerId, json]);
          });
        },
      ),
      { numRuns: 60 },
    );
  });

  it('packs plain strings as StringPacker does', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary', maxLength: 200 })), (values) => {
        const packer = new ClosenessPacker(8);
        for (const value of values) packer.push(value);
        expect(packer.finish()).toEqual(packStrings(values));
      }),
    );
  });

  it('writes a non-finite number and a missing last contact as JSON does', () => {
    const state = { ...emptyClosenessState('c-1', config), intensity: Number.NaN };
    const packer = new ClosenessPacker();
    packer.pushState(writtenState(ownedClosenessState(state)));
    expect(unpack(packer.finish())).toEqual([JSON.stringify(state)]);
  });
});
