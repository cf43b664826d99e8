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

/** The width by graphemes, as the segmenter cuts them: the definition the fast paths below must equal. */
export function segmentedWidth(text: string): number {
  let width = 0;
  for (const { segment } of segmenter.segment(text)) {
    if (invisible.test(segment)) continue;
    width += isWide(segment.codePointAt(0)!) || emoji.test(segment) ? 2 : 1;
  }
  return width;
}

const printableAscii = /^[\x20-\x7e]*$/;
/** Code units a table answers for: Latin, Greek, Cyrillic, Hebrew, Arabic and the other scripts below U+1100, and general punctuation (bidi marks and isolates). */
const tabled = (unit: number): boolean => unit < 0x1100 || (unit >= 0x2000 && unit < 0x2070);
const JOINS = 255;
const UNKNOWN = 254;
/** Widths of the tabled characters met so far (UNKNOWN until first met). */
const widths = new Uint8Array(0x2070).fill(UNKNOWN);

/**
 * A tabled character's width, or JOINS where it may join a neighbour into one
 * grapheme (marks, spacing marks, prepended signs), is an emoji or is wide:
 * asked of the segmenter itself the first time the character is met, so the
 * table cannot disagree with it, and costs nothing for characters never met.
 */
function widthOf(unit: number): number {
  const known = widths[unit]!;
  if (known !== UNKNOWN) return known;
  const char = String.fromCharCode(unit);
  const joins = [...segmenter.segment(`a${char}`)].length < 2 || [...segmenter.segment(`${char}a`)].length < 2;
  return (widths[unit] = joins || emoji.test(char) || isWide(unit) ? JOINS : invisible.test(char) ? 0 : 1);
}

/**
 * How many columns `text` takes. Segmenting is slow, and a long listing
 * measures every cell: text of characters that never join a neighbour (ASCII,
 * and most Arabic or French written without marks) is summed character by
 * character; anything else goes to the segmenter.
 */
export function displayWidth(text: string): number {
  if (printableAscii.test(text)) return text.length;
  let width = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    const w = tabled(unit) ? widthOf(unit) : JOINS;
    if (w === JOINS) return segmentedWidth(text);
    width += w;
  }
  return width;
}

export const padEnd = (text: string, width: number): string => text + ' '.repeat(Math.max(0, width - displayWidth(text)));
export const padStart = (text: string, width: number): string => ' '.repeat(Math.max(0, width - displayWidth(text))) + text;

/**
 * Text broken into lines of at most `width` columns: at spaces when it can,
 * inside a word only when the word alone is wider. Line breaks in the text are kept.
 */
export function wrap(text: string, width: number): string[] {
  const limit = Math.max(1, width);
  const lines: string[] = [];
  for (const paragraph of text.split(/\r\n|\r|\n/)) {
    let line = '';
    // Break opportunities: spaces, and after a hyphen (identifiers such as embassy-denmark-rabat).
    for (const word of paragraph.split(/ +/).flatMap((w) => (displayWidth(w) > limit ? w.split(/(?<=-)/) : [w]))) {
      const joined = line === '' ? word : line.endsWith('-') ? `${line}${word}` : `${line} ${word}`;
      if (displayWidth(joined) <= limit) {
        line = joined;
        continue;
      }
      if (line !== '') lines.push(line);
      line = '';
      // A word wider than the line is cut by grapheme.
      let piece = '';
      for (const { segment } of segmenter.segment(word)) {
        if (displayWidth(piece + segment) > limit && piece !== '') {
          lines.push(piece);
          piece = '';
        }
        piece += segment;
      }
      line = piece;
    }
    lines.push(line);
  }
  return lines;
}

const rightToLeft = /[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]/;

/**
 * A cell with right-to-left text isolated (U+2068 FIRST STRONG ISOLATE …
 * U+2069 POP DIRECTIONAL ISOLATE), so Arabic reads right to left inside its
 * cell without pulling the columns around it out of order. Zero columns wide.
 */
export const isolate = (text: string): string => (rightToLeft.test(text) ? `\u2068${text}\u2069` : text);

/**
 * Text for a terminal with its control characters shown, not sent: an escape
 * (ESC, which starts colour and cursor sequences), a bell, a backspace or a C1
 * control stored in a name would act on the reader's terminal. C0 controls are
 * shown as their pictures (ESC as ␛), DEL as ␡, C1 controls as �. A line feed
 * stays: lines are the caller's to lay out.
 */
export const visibleControls = (text: string): string =>
  // eslint-disable-next-line no-control-regex
  text.replace(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g, (c) => {
    const code = c.charCodeAt(0);
    return code < 0x20 ? String.fromCharCode(0x2400 + code) : code === 0x7f ? '\u2421' : '\ufffd';
  });
