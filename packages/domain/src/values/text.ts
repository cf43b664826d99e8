import { z } from 'zod';

/**
 * Text hygiene, for every free text of the record (names, titles, reasons):
 * the same text must always be the same string, and no string may carry
 * characters that corrupt what shows it or disguise what it says.
 *
 * - Normalised to NFC, so "École" typed with a combining accent and "École"
 *   precomposed are one name (found, compared and sorted alike).
 * - Refused: NUL (it ends strings in C and breaks HTML and terminals), lone
 *   surrogates (not text: no encoding can carry them), noncharacters
 *   (U+FDD0–U+FDEF and U+xFFFE/U+xFFFF of every plane: reserved for a
 *   program's internal use, never interchanged), and the bidi embedding,
 *   override and isolate controls (U+202A–U+202E, U+2066–U+2069), which can
 *   reorder what a reader sees ("Trojan source"). The marks U+200E and U+200F,
 *   which Arabic beside Latin text legitimately needs, stay allowed.
 * - Nothing else is changed: no trimming, so the text round-trips as written.
 */

const names: Readonly<Record<number, string>> = {
  0x202a: 'LEFT-TO-RIGHT EMBEDDING',
  0x202b: 'RIGHT-TO-LEFT EMBEDDING',
  0x202c: 'POP DIRECTIONAL FORMATTING',
  0x202d: 'LEFT-TO-RIGHT OVERRIDE',
  0x202e: 'RIGHT-TO-LEFT OVERRIDE',
  0x2066: 'LEFT-TO-RIGHT ISOLATE',
  0x2067: 'RIGHT-TO-LEFT ISOLATE',
  0x2068: 'FIRST STRONG ISOLATE',
  0x2069: 'POP DIRECTIONAL ISOLATE',
};

const hex = (code: number) => `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;

/** Why `text` may not be stored (its first offending character), or undefined when it may. */
export function textHygieneProblem(text: string): string | undefined {
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        const code = text.codePointAt(i)!;
        if ((code & 0xfffe) === 0xfffe) return `contains ${hex(code)}, a noncharacter`;
        i++;
        continue;
      }
      return `contains a lone surrogate (${hex(unit)} at ${i}): not text`;
    }
    if (unit >= 0xdc00 && unit <= 0xdfff) return `contains a lone surrogate (${hex(unit)} at ${i}): not text`;
    if (unit === 0) return `contains NUL (U+0000 at ${i})`;
    if ((unit >= 0xfdd0 && unit <= 0xfdef) || unit === 0xfffe || unit === 0xffff) return `contains ${hex(unit)}, a noncharacter`;
    const bidi = names[unit];
    if (bidi) return `contains ${hex(unit)} (${bidi}), a bidi control that can reorder what readers see; use the marks U+200E/U+200F`;
  }
  return undefined;
}

/** Free text of at most `max` characters: NFC, hygienic, and not empty nor only white space. */
export function safeText(max: number, options: { empty?: string } = {}) {
  return z
    .string()
    .overwrite((text) => text.normalize('NFC'))
    .min(1, options.empty ?? 'must not be empty')
    .max(max)
    // An empty text is the check above's to refuse: refused twice, its message would be said twice.
    .refine((text) => text.length === 0 || /\S/u.test(text), options.empty ?? 'must not be only white space')
    .check((ctx) => {
      const problem = textHygieneProblem(ctx.value);
      if (problem) ctx.issues.push({ code: 'custom', message: problem, input: ctx.value, continue: true });
    });
}
