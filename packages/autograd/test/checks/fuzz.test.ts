// The fuzz suite (issue 10): fast-check draws argument lists for every public function and constructor
// of every package from the signature table, in a child process with a watchdog, so a crash or a hang
// is caught and named instead of killing the run. Every thrown error must be a DlError naming the
// function called; valid draws must give tensors of the documented shape and dtype.
// DL_FUZZ_RUNS=50000 (and DL_FUZZ_SEED) gives a longer run.
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { entriesOf, packages } from './fuzz/table.js';

const root = fileURLToPath(new URL('../../../..', import.meta.url));
const runs = Number(process.env.DL_FUZZ_RUNS ?? 10000);
const seed = Number(process.env.DL_FUZZ_SEED ?? 10);

/** Transpiles the packages' sources and the child into plain JS under node_modules/.cache, so `node` runs them. */
function build(): string {
  const out = join(root, 'node_modules', '.cache', `dl-fuzz-${process.pid}`);
  rmSync(out, { recursive: true, force: true });
  const emit = (from: string, to: string, rename: (code: string, file: string) => string) => {
    for (const name of readdirSync(from)) {
      const src = join(from, name);
      if (statSync(src).isDirectory()) emit(src, join(to, name), rename);
      else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) {
        const js = ts.transpileModule(readFileSync(src, 'utf8'), {
          compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: false },
        }).outputText;
        mkdirSync(to, { recursive: true });
        writeFileSync(join(to, name.replace(/\.ts$/, '.js')), rename(js, join(to, name)));
      }
    }
  };
  const pkgs = Object.keys(packages);
  const toPkg = (code: string, file: string) =>
    code.replace(/from '@dl\/(\w+)'/g, (_, p: string) => {
      const rel = relative(dirname(file), join(out, p, 'index.js'));
      return `from '${rel.startsWith('.') ? rel : `./${rel}`}'`;
    });
  for (const p of pkgs) emit(join(root, 'packages', p, 'src'), join(out, p), toPkg);
  emit(join(root, 'packages', 'autograd', 'test', 'checks', 'fuzz'), join(out, 'fuzz'), toPkg);
  writeFileSync(join(out, 'package.json'), '{ "type": "module" }');
  return out;
}

interface Outcome { done: boolean; calls: number; failures: string[]; problem: string | null }

/** Runs the child with a watchdog: no progress for `idleMs` is a hang; a signal or a non-zero exit is a crash. */
function runChild(dir: string, idleMs = 15_000): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--max-old-space-size=2048', join(dir, 'fuzz', 'child.js'), String(seed), String(runs)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let last = '';
    let buf = '';
    let err = '';
    let timer = setTimeout(() => kill('hang'), idleMs);
    let problem: string | null = null;
    function kill(why: string): void {
      problem = `${why} in ${last}`;
      child.kill('SIGKILL');
    }
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split('\n');
      for (const l of lines.slice(0, -1)) if (l.startsWith('CASE ')) last = l.slice(5);
      // Keep the unfinished line, or everything from the summary on.
      const done = buf.lastIndexOf('DONE ');
      buf = done >= 0 ? buf.slice(done) : lines[lines.length - 1]!;
      clearTimeout(timer);
      timer = setTimeout(() => kill('hang'), idleMs);
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      const m = /DONE (\d+) \d+\n(.*)\n?$/s.exec(buf);
      if (problem === null && (code !== 0 || signal !== null)) problem = `crash (${signal ?? `exit ${code}`}) in ${last}: ${err.slice(-2000)}`;
      resolve({ done: m !== null, calls: m ? Number(m[1]) : 0, failures: m ? (JSON.parse(m[2]!) as string[]) : [], problem });
    });
  });
}

describe('fuzz: every public entry point under random and hostile arguments', () => {
  it(`runs ${runs} seeded draws with no crash, no hang, and only DlErrors that name the call`, async () => {
    const dir = build();
    try {
      const r = await runChild(dir);
      expect(r.problem).toBe(null);
      expect(r.done).toBe(true);
      expect(r.calls).toBe(runs);
      expect(r.failures.slice(0, 200)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('the signature table covers every public export', () => {
  for (const p of Object.keys(packages) as (keyof typeof packages)[]) {
    it(`@dl/${p}: each public function has a signature (checks.api) or a row in the table`, () => {
      expect(entriesOf(p).missing).toEqual([]);
    });
  }
});
