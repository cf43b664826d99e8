import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderCsv, renderJson, renderMarkdown, renderTable, type Column } from '../src/output/render.js';
import { displayWidth, padEnd, segmentedWidth } from '../src/output/width.js';

interface Row {
  id: string;
  name: string;
  count?: number;
}
const columns: Column<Row>[] = [
  { header: 'ID', value: (r) => r.id },
  { header: 'COUNT', value: (r) => r.count, align: 'right' },
  { header: 'NAME', value: (r) => r.name },
];
const rows: Row[] = [
  { id: 'enm-france', name: 'المدرسة الوطنية للقضاء بفرنسا', count: 11 },
  { id: 'giz', name: 'German agency, "GIZ"', count: 120 },
  { id: 'ssm-italy', name: 'Scuola | Superiore\ndella Magistratura' },
];

describe('display width', () => {
  it('counts Arabic letters one cell each, and their marks none', () => {
    expect(displayWidth('القضاء')).toBe(6);
    expect(displayWidth('قَضَاء')).toBe(4); // fatha marks take no cell
    expect(displayWidth('École')).toBe(5);
    expect(displayWidth('e\u0301cole')).toBe(5); // e + combining acute
    expect(displayWidth('司法')).toBe(4);
    expect(displayWidth('\u2067القضاء\u2069')).toBe(6); // bidi isolates are invisible
  });

  it('counts as the segmenter does, whatever the text: the character table is a shortcut, never another answer', () => {
    // Characters from where the table answers (Latin, accents and combining marks, Arabic and its harakat, Indic spacing
    // marks and viramas, controls, bidi marks and isolates) and from where it does not (wide, emoji, joiners).
    const near = fc.oneof(
      fc.integer({ min: 0, max: 0x10ff }),
      fc.integer({ min: 0x2000, max: 0x206f }),
      fc.constantFrom(0x0a, 0x0d, 0x20, 0x41, 0xa9, 0x300, 0x627, 0x64e, 0x600, 0x93e, 0x94d, 0xe33, 0xd4e, 0x200d, 0x2068, 0x2069),
      fc.constantFrom(0x1100, 0x1161, 0x4e00, 0xfe0f, 0x1f600, 0x1f1eb, 0x1f3fd),
    );
    fc.assert(
      fc.property(fc.array(near, { maxLength: 12 }), fc.string({ unit: 'grapheme' }), (codePoints, graphemes) => {
        const text = String.fromCodePoint(...codePoints);
        expect(displayWidth(text)).toBe(segmentedWidth(text));
        expect(displayWidth(graphemes + text)).toBe(segmentedWidth(graphemes + text));
      }),
      { numRuns: 2_000 },
    );
    for (let unit = 0; unit < 0x2070; unit++) {
      if (unit >= 0xd800 && unit < 0xe000) continue;
      const char = String.fromCharCode(unit);
      for (const text of [char, `a${char}`, `${char}a`, `\u0627${char}\u0644`, `${char}${char}`]) expect(displayWidth(text), `U+${unit.toString(16)} in ${JSON.stringify(text)}`).toBe(segmentedWidth(text));
    }
  });

  it('pads any text to exactly the asked width without changing it', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.nat(60), (text, extra) => {
        const width = displayWidth(text) + extra;
        const padded = padEnd(text, width);
        expect(padded.startsWith(text)).toBe(true);
        expect(displayWidth(padded)).toBe(width);
      }),
    );
  });
});

describe('renderers', () => {
  it('table: columns aligned by display width, Arabic kept whole, in logical order and isolated', () => {
    const table = renderTable(rows, columns);
    const lines = table.trimEnd().split('\n');
    expect(lines[0]).toBe('ID          COUNT  NAME');
    expect(lines[2]).toBe('enm-france     11  \u2068المدرسة الوطنية للقضاء بفرنسا\u2069');
    expect(lines[3]).toBe('giz           120  German agency, "GIZ"');
    expect(lines[4]).toBe('ssm-italy          Scuola | Superiore della Magistratura');
  });

  it('table at a width: the widest column gives way and its cells wrap, no line wider than asked', () => {
    const lines = renderTable(rows, columns, { width: 30 }).trimEnd().split('\n');
    expect(Math.max(...lines.map(displayWidth))).toBeLessThanOrEqual(30);
    expect(lines).toContain('ssm-italy          Scuola |');
    expect(lines).toContain('                   Superiore');
    expect(lines).toContain('                   \u2068الوطنية\u2069');
    expect(renderTable(rows, columns, { width: 30, color: true })).toContain('\u001b[1mID');
  });

  it('markdown: pipes escaped, line breaks as <br>, numbers right-aligned', () => {
    const md = renderMarkdown(rows, columns).split('\n');
    expect(md[0]).toBe('| ID | COUNT | NAME |');
    expect(md[1]).toBe('| --- | ---: | --- |');
    expect(md[4]).toBe('| ssm-italy |  | Scuola \\| Superiore<br>della Magistratura |');
  });

  it('csv: RFC 4180 quoting and CRLF', () => {
    expect(renderCsv(rows, columns)).toBe(
      'ID,COUNT,NAME\r\nenm-france,11,المدرسة الوطنية للقضاء بفرنسا\r\ngiz,120,"German agency, ""GIZ"""\r\nssm-italy,,"Scuola | Superiore\ndella Magistratura"\r\n',
    );
  });

  it('json: the model itself, bigints as decimal strings', () => {
    expect(JSON.parse(renderJson({ position: 12n, name: 'القضاء' }))).toEqual({ position: '12', name: 'القضاء' });
  });
});
