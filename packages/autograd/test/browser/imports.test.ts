// The packages that must run in a browser import nothing from Node: walk each browser entry's import graph.
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const entries: Record<string, string> = {
  '@dl/autograd': 'packages/autograd/src/index.ts',
  '@dl/autograd/testing': 'packages/autograd/src/testing/index.ts',
  '@dl/nn': 'packages/nn/src/index.ts',
  '@dl/nn/testing': 'packages/nn/src/testing/index.ts',
  '@dl/optim': 'packages/optim/src/index.ts',
  '@dl/data': 'packages/data/src/browser.ts',
  '@dl/io': 'packages/io/src/browser.ts',
};
// Bare specifiers a browser bundle may resolve: our own packages (by their browser entries) and fast-check.
const allowedBare = /^(@dl\/(autograd|nn|optim|data|io)(\/testing)?|fast-check)$/;

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs: string[] = [];
  for (const m of text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+'([^']+)'/gms)) specs.push(m[1]!);
  for (const m of text.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g)) specs.push(m[1]!);
  return specs;
}

function walk(entry: string): { files: number; offenders: string[] } {
  const seen = new Set<string>();
  const offenders: string[] = [];
  const stack = [join(root, entry)];
  while (stack.length > 0) {
    const file = stack.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const spec of importsOf(file)) {
      if (spec.startsWith('.')) {
        const target = join(dirname(file), spec.replace(/\.js$/, '.ts'));
        if (!existsSync(target)) throw new Error(`${file}: cannot resolve '${spec}'`);
        stack.push(target);
      } else if (spec.startsWith('@dl/')) {
        const name = spec.replace(/^(@dl\/[a-z]+(\/testing)?).*$/, '$1');
        if (!allowedBare.test(name) || entries[name] === undefined) offenders.push(`${file}: ${spec}`);
        else stack.push(join(root, entries[name]));
      } else if (!allowedBare.test(spec)) {
        offenders.push(`${file.slice(root.length + 1)} imports '${spec}'`);
      }
    }
  }
  return { files: seen.size, offenders };
}

describe('browser entries import nothing from Node', () => {
  it.each(Object.entries(entries))('%s', (_name, entry) => {
    const { files, offenders } = walk(entry);
    expect(files).toBeGreaterThan(0);
    expect(offenders).toEqual([]);
  });

  it('the check sees a Node import when there is one', () => {
    const { offenders } = walk('packages/data/src/index.ts');
    expect(offenders.some((o) => /'node:fs'/.test(o))).toBe(true);
  });
});
