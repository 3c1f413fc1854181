const view = new DataView(new ArrayBuffer(8));

/**
 * A sorted-set score written as a C99 hexadecimal float (`0x1.8000000000000p1` is 3): the
 * exact double, which Redis parses (`strtod`) by its bits, without the multi-precision
 * path a 17-digit decimal takes — about a tenth of Redis's time in a closeness rebuild on
 * Redis 7.0 (docs/decisions/0048). Redis answers the score as a decimal, as ever.
 * Zero and non-finite values are written as decimals.
 */
export function hexScore(x: number): string {
  if (x === 0 || !Number.isFinite(x)) return String(x);
  view.setFloat64(0, x);
  const high = view.getUint32(0);
  const low = view.getUint32(4);
  const sign = high >>> 31 === 1 ? '-' : '';
  const exponent = (high >>> 20) & 0x7ff;
  const mantissa =
    (high & 0xfffff).toString(16).padStart(5, '0') + low.toString(16).padStart(8, '0');
  // A subnormal has no implicit leading 1.
  return exponent === 0
    ? `${sign}0x0.${mantissa}p-1022`
    : `${sign}0x1.${mantissa}p${exponent - 1023}`;
}
