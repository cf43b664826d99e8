/**
 * What new text must also be, beyond the schemas' hygiene: something a reader
 * can see. The schemas decode the log too, so what they refuse can never be
 * widened for old events; these checks apply to commands only, before anything
 * is decided, and so never make a stored event unreadable.
 *
 * - No control character but tab, line feed and carriage return: an escape or
 *   a bell in a name acts on the terminal that prints it.
 * - Not only invisible characters: a name of zero-width spaces or direction
 *   marks is as blank as one of spaces.
 */

// C0 controls but tab, line feed and carriage return; DEL; C1 controls.
// eslint-disable-next-line no-control-regex
const control = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/u;
// Anything but white space, format characters (zero-width, direction marks) and controls.
const visible = /[^\s\p{Cf}\p{Cc}]/u;

const hex = (code: number) => `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;

/** The first text of a command a reader could not see as written (its dotted path and why), or undefined. */
export function unreadableText(value: unknown, path: readonly string[] = []): { readonly field: string; readonly message: string } | undefined {
  if (typeof value === 'string') {
    const field = path.join('.');
    const found = control.exec(value);
    if (found) return { field, message: `${field}: contains ${hex(found[0].codePointAt(0)!)}, a control character` };
    if (value.length > 0 && !visible.test(value)) return { field, message: `${field}: has no visible character` };
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, inner] of Object.entries(value)) {
    const problem = unreadableText(inner, [...path, key]);
    if (problem) return problem;
  }
  return undefined;
}
