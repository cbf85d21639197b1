// Decimal text moved by a power of ten without passing through a double: figures come out of
// an extractor exactly as the source wrote them.

/**
 * `digits[.digits]` × 10^shift, rounded half up to 3 decimals, as text without trailing zeros.
 * Done on the digits, not on a double, so that a figure comes out exactly as it went in.
 */
export function shiftDecimal(text: string, shift: number): string {
  const [whole, fraction = ''] = text.split('.');
  let digits = whole + fraction;
  let point = whole.length + shift;
  if (point < 0) {
    digits = '0'.repeat(-point) + digits;
    point = 0;
  }
  if (point > digits.length) digits += '0'.repeat(point - digits.length);
  let intPart = digits.slice(0, point).replace(/^0+(?=.)/, '') || '0';
  let frac = digits.slice(point);
  if (frac.length > 3) {
    const roundUp = frac.charCodeAt(3) >= 0x35; // '5'
    frac = frac.slice(0, 3);
    if (roundUp) {
      const n = (BigInt(intPart + frac) + 1n).toString().padStart(intPart.length + 3, '0');
      intPart = n.slice(0, n.length - 3).replace(/^0+(?=.)/, '') || '0';
      frac = n.slice(n.length - 3);
    }
  }
  frac = frac.replace(/0+$/, '');
  return frac === '' ? intPart : `${intPart}.${frac}`;
}
