// A tiny WebAssembly binary emitter: just the instructions the float32 GEMM needs, written as folded
// expressions that read like WAT, e.g. `i32.add(local.get(p), i32.const(16))`. Every helper returns
// the instruction bytes of its subtree (operands first, then the opcode), so a function body is a flat
// concatenation. The format is the WebAssembly 1.0 binary with the fixed-width SIMD proposal.

/** Bytes of one or more instructions. */
export type Code = readonly number[];

/** Value types. */
export const I32 = 0x7f;
export const V128 = 0x7b;
type ValueType = typeof I32 | typeof V128;

/** Unsigned LEB128, the encoding of every index, count and size. */
function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/** Signed LEB128, the encoding of `i32.const` immediates. */
function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) return [...out, byte];
    out.push(byte | 0x80);
  }
}

const seq = (...parts: Code[]): number[] => parts.flat();
const binary = (...op: number[]) => (x: Code, y: Code): Code => seq(x, y, op);
const simd = (op: number): number[] => [0xfd, ...uleb(op)];
// memarg: log2 of the alignment hint, then the constant byte offset added to the address operand.
const memarg = (align: number, offset: number): number[] => [...uleb(align), ...uleb(offset)];

export const local = {
  get: (index: number): Code => [0x20, ...uleb(index)],
  set: (index: number, value: Code): Code => seq(value, [0x21, ...uleb(index)]),
};

export const i32 = {
  const: (n: number): Code => [0x41, ...sleb(n | 0)],
  add: binary(0x6a),
  sub: binary(0x6b),
  mul: binary(0x6c),
  and: binary(0x71),
  eq: binary(0x46),
  ltS: binary(0x48),
  ltU: binary(0x49),
  gtS: binary(0x4a),
  leU: binary(0x4d),
  /** `cond ? x : y` (both evaluated). */
  select: (x: Code, y: Code, cond: Code): Code => seq(x, y, cond, [0x1b]),
  /** Adds `n` to local `index`. */
  inc: (index: number, n: Code): Code => local.set(index, i32.add(local.get(index), n)),
};

export const f32 = {
  load: (addr: Code, offset = 0): Code => seq(addr, [0x2a], memarg(2, offset)),
  store: (addr: Code, value: Code, offset = 0): Code => seq(addr, value, [0x38], memarg(2, offset)),
  /** A float32 constant, little-endian IEEE 754. */
  const: (x: number): Code => {
    const bytes = new DataView(new ArrayBuffer(4));
    bytes.setFloat32(0, x, true);
    return [0x43, ...new Uint8Array(bytes.buffer)];
  },
  add: binary(0x92),
};

export const v128 = {
  load: (addr: Code, offset = 0): Code => seq(addr, simd(0x00), memarg(4, offset)),
  /** Loads one float32 and copies it into all four lanes. */
  load32Splat: (addr: Code, offset = 0): Code => seq(addr, simd(0x09), memarg(2, offset)),
  store: (addr: Code, value: Code, offset = 0): Code => seq(addr, value, simd(0x0b), memarg(4, offset)),
  /** Loads 8 bytes (two float32) into the low half; the high half is zero. */
  load64Zero: (addr: Code, offset = 0): Code => seq(addr, simd(0x5d), memarg(3, offset)),
  /** Loads one 8-byte value (a float64) into both halves. */
  load64Splat: (addr: Code, offset = 0): Code => seq(addr, simd(0x0a), memarg(3, offset)),
  /** Loads 4 bytes (one float32) into lane 0; the other lanes are zero. */
  load32Zero: (addr: Code, offset = 0): Code => seq(addr, simd(0x5c), memarg(2, offset)),
  /** Stores the low 4 bytes (lane 0 of 32-bit lanes). */
  store32Low: (addr: Code, value: Code, offset = 0): Code => seq(addr, value, simd(0x5a), memarg(2, offset), [0]),
  /** Stores the low 8 bytes (lane 0 of 64-bit lanes). */
  store64Low: (addr: Code, value: Code, offset = 0): Code => seq(addr, value, simd(0x5b), memarg(3, offset), [0]),
  zero: (): Code => seq(simd(0x0c), new Array<number>(16).fill(0)),
  and: (x: Code, y: Code): Code => seq(x, y, simd(0x4e)),
  /** The bits of x where mask's bits are 1, else y's. */
  bitselect: (x: Code, y: Code, mask: Code): Code => seq(x, y, mask, simd(0x52)),
  or: (x: Code, y: Code): Code => seq(x, y, simd(0x50)),
  not: (x: Code): Code => seq(x, simd(0x4d)),
  /**
   * i8x16.shuffle on 32-bit lanes: lane i of the result is lane `lanes[i]` of x‖y (0–3 from x,
   * 4–7 from y). V8 matches the common patterns to single x64 shuffles (unpcklps, movlhps, …).
   */
  shuffle32: (x: Code, y: Code, lanes: readonly [number, number, number, number]): Code =>
    seq(x, y, simd(0x0d), lanes.flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3])),
};

/** Bulk memory (WebAssembly 2.0): copy and fill byte ranges of the memory. */
export const memory = {
  /** Copies `bytes` bytes from `src` to `dst` (the ranges may overlap). */
  copy: (dst: Code, src: Code, bytes: Code): Code => seq(dst, src, bytes, [0xfc, ...uleb(10), 0x00, 0x00]),
  /** Sets `bytes` bytes from `dst` to the low byte of `value`. */
  fill: (dst: Code, value: Code, bytes: Code): Code => seq(dst, value, bytes, [0xfc, ...uleb(11), 0x00]),
};

export const f32x4 = {
  /** The same float32 in all four lanes (v128.const). */
  const: (x: number): Code => {
    const bytes = new DataView(new ArrayBuffer(16));
    for (let i = 0; i < 4; i++) bytes.setFloat32(4 * i, x, true);
    return seq(simd(0x0c), [...new Uint8Array(bytes.buffer)]);
  },
  add: (x: Code, y: Code): Code => seq(x, y, simd(0xe4)),
  sub: (x: Code, y: Code): Code => seq(x, y, simd(0xe5)),
  mul: (x: Code, y: Code): Code => seq(x, y, simd(0xe6)),
  div: (x: Code, y: Code): Code => seq(x, y, simd(0xe7)),
  /** All ones in each lane where x > y (false when either is NaN), else zeros. */
  gt: (x: Code, y: Code): Code => seq(x, y, simd(0x44)),
  /** All ones in each lane where x ≠ y (true when either is NaN), else zeros. */
  ne: (x: Code, y: Code): Code => seq(x, y, simd(0x42)),
  /** Lane-wise minimum; a NaN in either lane gives NaN. */
  min: (x: Code, y: Code): Code => seq(x, y, simd(0xe8)),
  /** Lane-wise maximum; a NaN in either lane gives NaN. */
  max: (x: Code, y: Code): Code => seq(x, y, simd(0xe9)),
  /** Rounds to the nearest integer, ties to even. */
  nearest: (x: Code): Code => seq(x, simd(0x6a)),
  /** Relaxed SIMD: x·y + z, fused or not as the CPU prefers. */
  relaxedMadd: (x: Code, y: Code, z: Code): Code => seq(x, y, z, simd(0x105)),
  /** The two float64 lanes rounded to float32 (to nearest, as a store into a Float32Array) in lanes 0 and 1; lanes 2 and 3 zero. */
  demoteF64x2Zero: (x: Code): Code => seq(x, simd(0x5e)),
};

export const f64x2 = {
  /** Float32 lanes 0 and 1 widened (exactly) to two float64 lanes. */
  promoteLowF32x4: (x: Code): Code => seq(x, simd(0x5f)),
  add: (x: Code, y: Code): Code => seq(x, y, simd(0xf0)),
  mul: (x: Code, y: Code): Code => seq(x, y, simd(0xf2)),
};

export const i32x4 = {
  add: (x: Code, y: Code): Code => seq(x, y, simd(0xae)),
  /** Shifts every lane left by the i32 `by`. */
  shl: (x: Code, by: Code): Code => seq(x, by, simd(0xab)),
  /** Shifts every lane right by the i32 `by`, copying the sign bit. */
  shrS: (x: Code, by: Code): Code => seq(x, by, simd(0xac)),
  /** The i32 x in all four lanes. */
  splat: (x: Code): Code => seq(x, simd(0x11)),
  /** All ones in each lane where x = y, else zeros. */
  eq: (x: Code, y: Code): Code => seq(x, y, simd(0x37)),
  /** All ones in each lane where x > y as signed integers, else zeros. */
  gtS: (x: Code, y: Code): Code => seq(x, y, simd(0x3b)),
  /** Float32 lanes to int32, truncated and saturated (NaN gives 0). */
  truncSatF32x4: (x: Code): Code => seq(x, simd(0xf8)),
  const: (n: number): Code => i32x4.const4([n, n, n, n]),
  /** Four i32 lanes (v128.const). */
  const4: (lanes: readonly [number, number, number, number]): Code => {
    const bytes = new DataView(new ArrayBuffer(16));
    lanes.forEach((n, i) => bytes.setInt32(4 * i, n, true));
    return seq(simd(0x0c), [...new Uint8Array(bytes.buffer)]);
  },
};

const EMPTY_BLOCK = 0x40;

/** `loop … end`: a branch to depth 0 inside jumps back to the start. */
export const loop = (...body: Code[]): Code => seq([0x03, EMPTY_BLOCK], ...body, [0x0b]);
/** `block … end`: a branch to its depth jumps past the end. */
export const block = (...body: Code[]): Code => seq([0x02, EMPTY_BLOCK], ...body, [0x0b]);
/** `if … else … end`. */
export const ifElse = (cond: Code, then: Code[], otherwise: Code[] = []): Code =>
  seq(cond, [0x04, EMPTY_BLOCK], ...then, otherwise.length > 0 ? seq([0x05], ...otherwise) : [], [0x0b]);
/** `br_if depth`: branches when `cond` is non-zero. */
export const brIf = (depth: number, cond: Code): Code => seq(cond, [0x0d, ...uleb(depth)]);
/** A do-while loop: runs `body`, then repeats while `cond` holds (so the body runs at least once). */
export const doWhile = (cond: Code, ...body: Code[]): Code => loop(...body, brIf(0, cond));

/**
 * One exported function taking i32 parameters and returning nothing. Declare its extra locals with
 * `local(type)` before building the body, which refers to parameters and locals by index.
 */
export class Func {
  private readonly extra: ValueType[] = [];
  body: Code = [];

  constructor(readonly name: string, readonly params: number) {}

  /** A new local of `type`; returns its index. */
  local(type: ValueType): number {
    this.extra.push(type);
    return this.params + this.extra.length - 1;
  }

  /** The function's code-section entry: locals run-length encoded, then the body and `end`. */
  encode(): number[] {
    const runs: [number, ValueType][] = [];
    for (const t of this.extra) {
      const last = runs[runs.length - 1];
      if (last && last[1] === t) last[0]++;
      else runs.push([1, t]);
    }
    const content = seq(uleb(runs.length), ...runs.map(([n, t]) => [...uleb(n), t]), this.body, [0x0b]);
    return [...uleb(content.length), ...content];
  }
}

const section = (id: number, items: number[][]): number[] => {
  const content = seq(uleb(items.length), ...items);
  return [id, ...uleb(content.length), ...content];
};
const name = (s: string): number[] => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];

/**
 * A module of `funcs` plus one memory of `pages` 64 KiB pages (growable), all exported by name (the
 * memory as "memory"). With `shared`, the memory is instead imported as `env.memory`, a shared memory
 * of at most `shared.maximum` pages (threads need it: limits flag 0x03, minimum and maximum), which
 * every thread's instance of the module imports.
 */
export function moduleBytes(funcs: Func[], pages: number, shared?: { readonly maximum: number }): Uint8Array<ArrayBuffer> {
  // One function type per distinct parameter count: (i32 × n) → ().
  const arities = [...new Set(funcs.map((f) => f.params))];
  const types = arities.map((n) => [0x60, ...uleb(n), ...new Array<number>(n).fill(I32), 0]);
  const memory = shared === undefined
    ? section(5, [[0x00, ...uleb(pages)]]) // limits: minimum only
    : []; // imported instead
  const imports = shared === undefined
    ? []
    : section(2, [[...name('env'), ...name('memory'), 0x02, 0x03, ...uleb(pages), ...uleb(shared.maximum)]]);
  return new Uint8Array(seq(
    [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00], // "\0asm", version 1
    section(1, types),
    imports,
    section(3, funcs.map((f) => uleb(arities.indexOf(f.params)))),
    memory,
    section(7, [[...name('memory'), 0x02, 0], ...funcs.map((f, i) => [...name(f.name), 0x00, ...uleb(i)])]),
    section(10, funcs.map((f) => f.encode())),
  ));
}
