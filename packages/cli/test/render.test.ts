import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderCsv, renderJson, renderMarkdown, renderTable, type Column } from '../src/output/render.js';
import { displayWidth, padEnd } from '../src/output/width.js';

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
