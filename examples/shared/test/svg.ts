// The SVG check the example tests share: a tag-level well-formedness check sized for our plots.
import { expect } from 'vitest';

/**
 * Expects `xml` to be one `<svg>` document (an XML declaration may come first) in which every tag
 * closes in order and every '<' starts a tag with double-quoted attributes. Returns the tag names in
 * document order, closing tags included.
 * @example expect(expectWellFormedSvg(text).filter((n) => n === 'circle')).toHaveLength(200);
 */
export function expectWellFormedSvg(xml: string): string[] {
  const stack: string[] = [];
  const names: string[] = [];
  const body = xml.replace(/^<\?xml[^>]*\?>/, '');
  for (const m of body.matchAll(/<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g)) {
    const [, closing, name, , selfClosing] = m;
    names.push(name!);
    if (closing) expect(stack.pop(), `</${name}> closes the last open tag`).toBe(name);
    else if (!selfClosing) stack.push(name!);
  }
  expect(stack).toEqual([]);
  // every '<' starts a tag the pattern understood: no stray or malformed markup
  expect((body.match(/</g) ?? []).length).toBe(names.length);
  expect(names[0]).toBe('svg');
  expect(body.trimStart().startsWith('<svg')).toBe(true);
  expect(body.trimEnd().endsWith('</svg>')).toBe(true);
  return names;
}
