/**
 * The first key named twice in one object of a JSON text (already known to be
 * valid JSON), with the dotted path of that object: `JSON.parse` keeps the last
 * value silently, so a body could say two things and be read as one. Keys are
 * compared decoded (`"a"` and `"\u0061"` are the same key).
 */
export function duplicateKeyOf(text: string): { key: string; path: string } | undefined {
  type Frame = { kind: 'object'; keys: Set<string>; key?: string; path: string } | { kind: 'array'; index: number; path: string };
  const stack: Frame[] = [];
  const childPath = (): string => {
    const top = stack.at(-1);
    if (!top) return '';
    const segment = top.kind === 'object' ? (top.key ?? '') : String(top.index);
    return top.path ? `${top.path}.${segment}` : segment;
  };
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '"') {
      let end = i + 1;
      while (text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      const top = stack.at(-1);
      let j = end + 1;
      while (j < text.length && (text[j] === ' ' || text[j] === '\t' || text[j] === '\n' || text[j] === '\r')) j++;
      if (top?.kind === 'object' && text[j] === ':') {
        const key = JSON.parse(text.slice(i, end + 1)) as string;
        if (top.keys.has(key)) return { key, path: top.path };
        top.keys.add(key);
        top.key = key;
      }
      i = end + 1;
      continue;
    }
    if (ch === '{') stack.push({ kind: 'object', keys: new Set(), path: childPath() });
    else if (ch === '[') stack.push({ kind: 'array', index: 0, path: childPath() });
    else if (ch === '}' || ch === ']') stack.pop();
    else if (ch === ',') {
      const top = stack.at(-1);
      if (top?.kind === 'array') top.index++;
    }
    i++;
  }
  return undefined;
}
