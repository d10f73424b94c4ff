import { Tensor, markModified, DlError, checks as C } from '@dl/autograd';
import { decode } from './deserialize.js';
import { entriesOf, formatShape, type StateDict } from './format.js';

/** Options of `loadInto`. */
export interface LoadIntoOptions {
  /** Whether missing and unexpected names are errors (true by default). Wrong shapes always are. */
  strict?: boolean;
}

/** The names `loadInto` did not match (both empty after a strict load). */
export interface LoadIntoResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

const isTensor = (v: unknown): v is Tensor => v instanceof Tensor;

/**
 * Copies tensors from `source` (safetensors bytes, or a state dict) into the tensors of `target` in
 * place, converting dtype if needed: for model-like objects that are not `Module`s. Every name and
 * shape is checked first and nothing is written on error; the error lists each problem, naming the
 * key and both shapes.
 * @example
 * loadInto(net.stateDict(), readFileSync('net.safetensors'));
 */
export const loadInto = C.api(C.sig('loadInto', ['target', C.kind('object', 'an object', (v) => typeof v === 'object' && v !== null)], ['source', C.union(C.kind('bytes', 'a Uint8Array', (v) => v instanceof Uint8Array), C.kind('object', 'an object', (v) => typeof v === 'object' && v !== null))], ['options', C.options({ strict: C.bool })]), function loadInto(target: StateDict, source: Uint8Array | StateDict, options: LoadIntoOptions = {}): LoadIntoResult {
  const strict = options.strict ?? true;
  const own = entriesOf('loadInto', target, isTensor);
  const given = new Map(source instanceof Uint8Array ? Object.entries(decode(source, 'loadInto').tensors) : entriesOf('loadInto', source, isTensor));
  const ownNames = new Set(own.map(([k]) => k));
  const missingKeys = own.filter(([k]) => !given.has(k)).map(([k]) => k);
  const unexpectedKeys = [...given.keys()].filter((k) => !ownNames.has(k));
  const problems: string[] = [];
  if (strict && missingKeys.length > 0) problems.push(`missing from the source: ${missingKeys.map((k) => `'${k}'`).join(', ')}`);
  if (strict && unexpectedKeys.length > 0) problems.push(`not in the target: ${unexpectedKeys.map((k) => `'${k}'`).join(', ')}`);
  for (const [k, t] of own) {
    const src = given.get(k);
    if (src !== undefined && src.shape.join() !== t.shape.join()) {
      problems.push(`size mismatch for '${k}': the source has shape ${formatShape(src.shape)}, the target has shape ${formatShape(t.shape)}`);
    }
  }
  if (problems.length > 0) throw new DlError(`loadInto: nothing was loaded:\n\t${problems.join('\n\t')}`);
  for (const [k, t] of own) {
    const src = given.get(k);
    if (src === undefined) continue;
    t.data.set(src.data);
    markModified(t);
  }
  return { missingKeys, unexpectedKeys };
});
