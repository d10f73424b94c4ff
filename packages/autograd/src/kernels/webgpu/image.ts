// im2col, col2im and max pooling in WGSL (issue 13), one thread per output value. The adjoints (col2im,
// the pooling gradient) gather: each thread sums what lands on its own value, so no float atomics are
// needed and the result does not depend on scheduling.
import type { Window2d } from '../cpu/im2col.js';
import { MAIN, workgroupsFor, type GpuArray, type GpuContext } from './context.js';

/** The window geometry as a uniform (16 words), and the WGSL struct and index helpers that read it. */
function geometry(g: Window2d): Uint32Array {
  return new Uint32Array([g.N, g.C, g.H, g.W, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, g.dh, g.dw, g.oh, g.ow, 0, 0]);
}
const HEADER = /* wgsl */ `
struct Geometry { N: u32, C: u32, H: u32, W: u32, kh: u32, kw: u32, sh: u32, sw: u32, ph: u32, pw: u32, dh: u32, dw: u32, oh: u32, ow: u32, pad0: u32, pad1: u32 }
fn isNan(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }
`;

/**
 * A loop over the windows that contain image pixel (y, x): for each tap (ki, kj) that lands on it, the
 * window's position (oy, ox) is in scope for `body`. The adjoints (col2im, the pooling gradient) gather with it.
 */
function eachWindowOf(body: string): string {
  return /* wgsl */ `for (var ki = 0u; ki < g.kh; ki++) {
    let ty = i32(y + g.ph) - i32(ki * g.dh);
    if (ty < 0 || u32(ty) % g.sh != 0u || u32(ty) / g.sh >= g.oh) { continue; }
    let oy = u32(ty) / g.sh;
    for (var kj = 0u; kj < g.kw; kj++) {
      let tx = i32(x + g.pw) - i32(kj * g.dw);
      if (tx < 0 || u32(tx) % g.sw != 0u || u32(tx) / g.sw >= g.ow) { continue; }
      let ox = u32(tx) / g.sw;
      ${body}
    }
  }`;
}

const IM2COL = /* wgsl */ `${HEADER}
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> g: Geometry;
${MAIN}
  let L = g.oh * g.ow;
  let rows = g.C * g.kh * g.kw;
  if (i >= g.N * rows * L) { return; }
  let l = i % L;
  let r = (i / L) % rows;
  let n = i / (L * rows);
  let c = r / (g.kh * g.kw);
  let ki = (r / g.kw) % g.kh;
  let kj = r % g.kw;
  let iy = i32((l / g.ow) * g.sh + ki * g.dh) - i32(g.ph);
  let ix = i32((l % g.ow) * g.sw + kj * g.dw) - i32(g.pw);
  var v = 0.0;
  if (iy >= 0 && iy < i32(g.H) && ix >= 0 && ix < i32(g.W)) { v = x[((n * g.C + c) * g.H + u32(iy)) * g.W + u32(ix)]; }
  out[i] = v;
}
`;

const COL2IM = /* wgsl */ `${HEADER}
@group(0) @binding(0) var<storage, read> cols: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> g: Geometry;
${MAIN}
  if (i >= g.N * g.C * g.H * g.W) { return; }
  let x = i % g.W;
  let y = (i / g.W) % g.H;
  let c = (i / (g.W * g.H)) % g.C;
  let n = i / (g.W * g.H * g.C);
  let L = g.oh * g.ow;
  var acc = 0.0;
${eachWindowOf(`acc += cols[(n * g.C * g.kh * g.kw + (c * g.kh + ki) * g.kw + kj) * L + oy * g.ow + ox];`)}
  out[i] = acc;
}
`;

const MAX_POOL = /* wgsl */ `${HEADER}
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<storage, read_write> argmax: array<i32>;
@group(0) @binding(3) var<uniform> g: Geometry;
${MAIN}
  if (i >= g.N * g.C * g.oh * g.ow) { return; }
  let ox = i % g.ow;
  let oy = (i / g.ow) % g.oh;
  let plane = (i / (g.ow * g.oh)) * g.H * g.W;
  var negInfBits = 0xff800000u;
  var best = bitcast<f32>(negInfBits);
  // As the CPU kernel: a window wholly inside the image starts at its first tap; with padding, at none (−1).
  var at = -1;
  if (g.ph == 0u && g.pw == 0u) { at = i32(plane + oy * g.sh * g.W + ox * g.sw); }
  for (var ki = 0u; ki < g.kh; ki++) {
    let iy = i32(oy * g.sh + ki * g.dh) - i32(g.ph);
    if (iy < 0 || iy >= i32(g.H)) { continue; }
    for (var kj = 0u; kj < g.kw; kj++) {
      let ix = i32(ox * g.sw + kj * g.dw) - i32(g.pw);
      if (ix < 0 || ix >= i32(g.W)) { continue; }
      let q = plane + u32(iy) * g.W + u32(ix);
      let v = x[q];
      // A larger value, or any NaN (the last NaN wins), takes the window, as PyTorch's CPU kernel.
      if (isNan(v) || (!isNan(best) && v > best)) { best = v; at = i32(q); }
    }
  }
  out[i] = best;
  argmax[i] = at;
}
`;

const MAX_UNPOOL = /* wgsl */ `${HEADER}
@group(0) @binding(0) var<storage, read> grad: array<f32>;
@group(0) @binding(1) var<storage, read> argmax: array<i32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> g: Geometry;
${MAIN}
  if (i >= g.N * g.C * g.H * g.W) { return; }
  let x = i % g.W;
  let y = (i / g.W) % g.H;
  let nc = i / (g.W * g.H);
  var acc = 0.0;
${eachWindowOf(`let p = (nc * g.oh + oy) * g.ow + ox;
      if (argmax[p] == i32(i)) { acc += grad[p]; }`)}
  out[i] = acc;
}
`;

const MAX_PICK = /* wgsl */ `
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> argmax: array<i32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> n: vec4<u32>;
${MAIN}
  if (i >= n.x) { return; }
  let at = argmax[i];
  var v = 0.0;
  if (at >= 0) { v = x[u32(at)]; }
  out[i] = v;
}
`;

/** im2col of x [N, C, H, W] → [N, C·kh·kw, oh·ow], zeros where a window reaches into the padding. */
export function im2col(ctx: GpuContext, x: GpuArray, g: Window2d): GpuArray {
  const n = g.N * g.C * g.kh * g.kw * g.oh * g.ow;
  const out = ctx.alloc(n);
  if (n > 0) ctx.dispatch(IM2COL, [x.buffer, out.buffer], geometry(g), workgroupsFor(n));
  return out;
}

/** col2im, the adjoint of im2col: [N, C·kh·kw, oh·ow] → [N, C, H, W], overlapping windows summed. */
export function col2im(ctx: GpuContext, cols: GpuArray, g: Window2d): GpuArray {
  const n = g.N * g.C * g.H * g.W;
  const out = ctx.alloc(n);
  if (n > 0) ctx.dispatch(COL2IM, [cols.buffer, out.buffer], geometry(g), workgroupsFor(n));
  return out;
}

/** Max pooling of x [N, C, H, W]: the values [N, C, oh, ow] and each one's flat index into x (int32, −1 for none). */
export function maxPool2d(ctx: GpuContext, x: GpuArray, g: Window2d): { out: GpuArray; argmax: GpuArray } {
  const n = g.N * g.C * g.oh * g.ow;
  const out = ctx.alloc(n);
  const argmax = ctx.alloc(n, 'int32');
  if (n > 0) ctx.dispatch(MAX_POOL, [x.buffer, out.buffer, argmax.buffer], geometry(g), workgroupsFor(n));
  return { out, argmax };
}

/** The gradient of max pooling: grad [N, C, oh, ow] summed at each window's maximum of an [N, C, H, W] image. */
export function maxUnpool2d(ctx: GpuContext, grad: GpuArray, argmax: GpuArray, g: Window2d): GpuArray {
  const n = g.N * g.C * g.H * g.W;
  const out = ctx.alloc(n);
  if (n > 0) ctx.dispatch(MAX_UNPOOL, [grad.buffer, argmax.buffer, out.buffer], geometry(g), workgroupsFor(n));
  return out;
}

/** The value of x at each window's maximum (0 where a window had none): the adjoint of `maxUnpool2d`. */
export function maxPick(ctx: GpuContext, x: GpuArray, argmax: GpuArray): GpuArray {
  const out = ctx.alloc(argmax.length);
  if (argmax.length > 0) ctx.dispatch(MAX_PICK, [x.buffer, argmax.buffer, out.buffer], new Uint32Array([argmax.length, 0, 0, 0]), workgroupsFor(argmax.length));
  return out;
}
