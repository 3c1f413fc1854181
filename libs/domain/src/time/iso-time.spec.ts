import fc from 'fast-check';
import { isoTimeOf } from './iso-time';

describe('isoTimeOf', () => {
  it('writes what Date.toISOString writes, for every instant', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.integer({ min: -62_167_219_200_000, max: 253_402_300_799_999 }),
          fc.integer({ min: 1_500_000_000_000, max: 2_000_000_000_000 }),
          fc.double({ min: -8.64e15, max: 8.64e15, noNaN: true }),
        ),
        (ms) => {
          expect(isoTimeOf(ms)).toBe(new Date(ms).toISOString());
        },
      ),
      { numRuns: 20_000 },
    );
  });

  it.each([
    0, -1, 951_782_400_000, 951_868_799_999, 4_107_542_400_000, -62_167_219_200_000,
    253_402_300_799_999, -62_167_219_200_001, 253_402_300_800_000,
  ])('writes %d as Date does (epoch, leap days, the ends of four-digit years)', (ms) => {
    expect(isoTimeOf(ms)).toBe(new Date(ms).toISOString());
  });
});
