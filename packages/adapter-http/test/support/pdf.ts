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

/** The text a PDF prints past its page's right or left edge (what a reader of the paper never sees), page by page. */
export async function pdfTextOffPage(data: Uint8Array): Promise<{ page: number; text: string }[]> {
  const document = await getDocument({ data, useSystemFonts: false, isEvalSupported: false }).promise;
  const off: { page: number; text: string }[] = [];
  for (let n = 1; n <= document.numPages; n++) {
    const page = await document.getPage(n);
    const { width } = page.getViewport({ scale: 1 });
    for (const item of (await page.getTextContent()).items) {
      if (!('str' in item) || item.str.trim() === '') continue;
      const x = item.transform[4] as number;
      if (x < 0 || x + item.width > width + 0.5) off.push({ page: n, text: item.str });
    }
  }
  await document.destroy();
  return off;
}
