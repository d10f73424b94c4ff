import { Tensor } from '../tensor.js';

/** A short description of any value for an error message: `'1' (a string)`, `null`, `a Tensor of shape [2,3]`. */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (v instanceof Tensor) return `a ${v.dtype} Tensor of shape [${v.shape.join(',')}]`;
  switch (typeof v) {
    case 'number':
      return String(v);
    case 'string':
      return `'${v.length > 40 ? `${v.slice(0, 40)}…` : v}' (a string)`;
    case 'boolean':
      return String(v);
    case 'bigint':
      return `${v}n (a bigint)`;
    case 'function':
      return 'a function';
    case 'symbol':
      return 'a symbol';
  }
  if (Array.isArray(v)) {
    const shown = v.length > 8 ? `${v.slice(0, 8).map(short).join(',')},…` : v.map(short).join(',');
    return `[${shown}] (an array of ${v.length})`;
  }
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name}`;
  const name = (v as object).constructor?.name;
  return name && name !== 'Object' ? `a ${name}` : 'an object';
}

function short(v: unknown): string {
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return JSON.stringify(v.length > 12 ? `${v.slice(0, 12)}…` : v);
  if (v instanceof Tensor) return `Tensor[${v.shape.join(',')}]`;
  if (Array.isArray(v)) return v.length > 4 ? `[${v.slice(0, 4).map(short).join(',')},…]` : `[${v.map(short).join(',')}]`;
  return v === null ? 'null' : typeof v;
}
