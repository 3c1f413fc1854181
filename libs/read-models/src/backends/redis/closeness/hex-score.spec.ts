import fc from 'fast-check';
import { hexScore } from './hex-score';

/** What C's strtod makes of a hexadecimal float, computed independently of `hexScore`. */
function parseHexFloat(text: string): number {
  const match = /^(-?)0x([01])\.([0-9a-f]{13})p(-?\d+)$/.exec(text);
  if (!match) return Number(text);
  const [, sign, lead, digits, exponent] = match;
  const value = (Number(lead) + Number.parseInt(digits, 16) / 2 ** 52) * 2 ** Number(exponent);
  return sign === '-' ? -value : value;
}

describe('hexScore', () => {
  it('writes every double as the hexadecimal float of its exact value', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true }), (x) => {
        // (−0 is written as 0: the same score.)
        expect(parseHexFloat(hexScore(x)) === x).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('writes the bits as C does', () => {
    expect(hexScore(3)).toBe('0x1.8000000000000p1');
    expect(hexScore(0.19625)).toBe('0x1.91eb851eb851fp-3');
    expect(hexScore(-2.5)).toBe('-0x1.4000000000000p1');
    expect(hexScore(Number.MIN_VALUE)).toBe('0x0.0000000000001p-1022');
    expect(hexScore(0)).toBe('0');
  });
});
