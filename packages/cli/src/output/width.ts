/**
 * How many terminal columns a string takes, counted by grapheme (a letter and
 * its marks, such as Arabic harakat, are one cell), with wide East Asian
 * characters and emoji taking two and control / format characters none.
 * Strings are never reordered or reshaped: the terminal does bidi, we only pad.
 */
const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const invisible = /^[\p{Cc}\p{Cf}\p{Mn}\p{Me}\p{Zl}\p{Zp}]+$/u;
const emoji = /\p{Extended_Pictographic}/u;

// East Asian Wide and Fullwidth ranges (Unicode 15, the blocks in practical use).
const wideRanges: readonly (readonly [number, number])[] = [
  [0x1100, 0x115f], [0x2e80, 0x303e], [0x3041, 0x33ff], [0x3400, 0x4dbf], [0x4e00, 0x9fff],
  [0xa000, 0xa4cf], [0xac00, 0xd7a3], [0xf900, 0xfaff], [0xfe30, 0xfe4f], [0xff00, 0xff60],
  [0xffe0, 0xffe6], [0x20000, 0x3fffd],
];

const isWide = (codePoint: number): boolean => wideRanges.some(([from, to]) => codePoint >= from && codePoint <= to);

export function displayWidth(text: string): number {
  let width = 0;
  for (const { segment } of segmenter.segment(text)) {
    if (invisible.test(segment)) continue;
    width += isWide(segment.codePointAt(0)!) || emoji.test(segment) ? 2 : 1;
  }
  return width;
}

export const padEnd = (text: string, width: number): string => text + ' '.repeat(Math.max(0, width - displayWidth(text)));
export const padStart = (text: string, width: number): string => ' '.repeat(Math.max(0, width - displayWidth(text))) + text;
