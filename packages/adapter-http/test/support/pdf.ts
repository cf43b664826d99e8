import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';

/** The text of every page of a PDF, pages joined by a line break (pdfjs-dist, as a reader would extract it). */
export async function pdfText(data: Uint8Array): Promise<string> {
  const document = await getDocument({ data, useSystemFonts: false, isEvalSupported: false }).promise;
  const pages: string[] = [];
  for (let n = 1; n <= document.numPages; n++) {
    const content = await (await document.getPage(n)).getTextContent();
    pages.push(content.items.map((item) => ('str' in item ? item.str + (item.hasEOL ? '\n' : '') : '')).join(''));
  }
  await document.destroy();
  return pages.join('\n');
}

/**
 * Whether a PDF's extracted text holds an Arabic phrase: the extractor gives
 * Arabic in its printed (visual) order and its contextual letter forms, so the
 * text is folded to the base letters (NFKC) and the phrase sought either way.
 */
export function pdfHasArabic(text: string, phrase: string): boolean {
  const folded = text.normalize('NFKC');
  return folded.includes(phrase) || folded.includes([...phrase].reverse().join(''));
}
