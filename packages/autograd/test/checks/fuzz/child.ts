// The fuzz suite's child process: draws argument lists for every entry of the table and calls them.
// Before each call it prints the case, so the parent's watchdog can name a call that hangs or crashes.
import fc from 'fast-check';
import * as autograd from '@dl/autograd';
import { arbArgs, entriesOf, packages, type Entry } from './table.js';

const [seed, runs] = [Number(process.argv[2] ?? 0), Number(process.argv[3] ?? 1000)];
const entries: Entry[] = (Object.keys(packages) as (keyof typeof packages)[]).flatMap((p) => entriesOf(p).entries);

function show(v: unknown): string {
  try {
    return autograd.checks.describe(v);
  } catch {
    return typeof v;
  }
}

function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Why a result is wrong, or null: tensors must have a dtype, as many values as their shape holds, and bools only 0 and 1. */
function badResult(e: Entry, args: unknown[], r: unknown): string | null {
  const tensors = Array.isArray(r) ? r : r instanceof autograd.Tensor ? [r] : [];
  for (const t of tensors) {
    if (!(t instanceof autograd.Tensor)) continue;
    if (!['float32', 'float64', 'int32', 'bool'].includes(t.dtype)) return `dtype ${String(t.dtype)}`;
    if (t.dtype === 'bool' && t.data.some((v) => v !== 0 && v !== 1)) return 'a bool tensor holding other values than 0 and 1';
    if (t.requiresGrad && t.dtype !== 'float32' && t.dtype !== 'float64') return `a ${t.dtype} tensor that requires grad`;
    if (!t.shape.every((s) => Number.isInteger(s) && s >= 0) || t.data.length !== numel(t.shape)) return `shape [${t.shape.join(',')}] with ${t.data.length} values`;
  }
  const ins = args.filter((a): a is autograd.Tensor => a instanceof autograd.Tensor);
  if (r instanceof autograd.Tensor && ins.length > 0 && ['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum', 'relu', 'sigmoid', 'tanh', 'exp', 'log', 'neg', 'abs', 'clamp'].includes(e.name)) {
    const shape = ins.reduce<readonly number[]>((s, t) => autograd.broadcastShapes(e.name, s, t.shape), []);
    if (r.shape.join() !== shape.join()) return `shape [${r.shape.join(',')}], expected [${shape.join(',')}]`;
    const floats = ins.filter((t) => t.dtype === 'float32' || t.dtype === 'float64');
    if (floats.length > 0 && r.dtype !== floats[0]!.dtype) return `dtype ${r.dtype}, expected ${floats[0]!.dtype}`;
  }
  if (r instanceof autograd.Tensor && Array.isArray(args[0]) && ['zeros', 'ones', 'rand', 'randn', 'full'].includes(e.name)) {
    if (r.shape.join() !== (args[0] as number[]).join()) return `shape [${r.shape.join(',')}], expected [${String(args[0])}]`;
    const o = args[e.name === 'full' ? 2 : 1] as { dtype?: string } | undefined;
    if (r.dtype !== (o?.dtype ?? 'float32')) return `dtype ${r.dtype}`;
  }
  return null;
}

const failures: string[] = [];
// The entry points that return a Promise, and what their rejections were.
const ASYNC = new Set(['initWebGpu', 'synchronize', 'setDeviceAsync_']);
const pending: Promise<{ label: string; err: unknown; name: string } | null>[] = [];
let calls = 0;
fc.assert(
  fc.property(fc.integer({ min: 0, max: entries.length - 1 }).chain((i) => fc.tuple(fc.constant(i), arbArgs(entries[i]!))), ([i, args]) => {
    const e = entries[i]!;
    const label = `${e.name}(${args.map(show).join(', ')})`;
    process.stdout.write(`CASE ${label}\n`);
    calls++;
    try {
      // An async entry point runs outside noGrad (which refuses a Promise); its rejection is checked at the end.
      if (ASYNC.has(e.name)) {
        const p = e.call(args) as Promise<unknown>;
        pending.push(p.then(() => null, (err: unknown) => ({ label, err, name: e.name })));
        return;
      }
      const r = autograd.noGrad(() => e.call(args));
      const bad = badResult(e, args, r);
      if (bad !== null) failures.push(`${label}: wrong result: ${bad}`);
    } catch (err) {
      if (!(err instanceof autograd.DlError)) failures.push(`${label}: threw ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
      else if (err.fn !== e.name) failures.push(`${label}: the error names ${err.fn}: ${err.message}`);
      else if (/internal error/.test(err.message)) failures.push(`${label}: ${err.message}`);
    }
  }),
  { seed, numRuns: runs },
);
for (const r of await Promise.all(pending)) {
  if (r === null) continue;
  if (!(r.err instanceof autograd.DlError)) failures.push(`${r.label}: rejected with ${r.err instanceof Error ? `${r.err.name}: ${r.err.message}` : String(r.err)}`);
  else if (r.err.fn !== r.name) failures.push(`${r.label}: the rejection names ${r.err.fn}: ${r.err.message}`);
}
process.stdout.write(`DONE ${calls} ${entries.length}\n${JSON.stringify(failures)}\n`);
