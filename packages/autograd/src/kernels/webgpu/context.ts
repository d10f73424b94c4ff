/// <reference types="@webgpu/types" />
// What every WebGPU kernel runs on (issue 13): one device, its compiled pipelines (cached by source),
// float32 storage buffers, and one pending command encoder. Kernels only encode; work is submitted in
// one command buffer when a value is read back (or on `flush`), so a chain of ops costs one submit,
// not one per op.

/** Threads per workgroup of the one-dimensional kernels (elementwise, reductions). */
export const WORKGROUP = 64;

/**
 * The entry point of a one-dimensional kernel, up to its body: `i` is the thread's index (dispatched with
 * `workgroupsFor`). A kernel's source is its bindings, then MAIN, its body and a closing brace.
 */
export const MAIN = /* wgsl */ `@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * ${WORKGROUP}u;`;
// The most workgroups a dispatch may have along one dimension.
const MAX_GROUPS_X = 65535;

/**
 * Workgroups for `n` threads of WORKGROUP each, as [x, y] within the per-dimension limit; a kernel
 * reads its index as gid.x + gid.y · groups.x · WORKGROUP and returns past n.
 */
export function workgroupsFor(n: number): [number, number] {
  const groups = Math.ceil(n / WORKGROUP);
  const x = Math.max(1, Math.min(groups, MAX_GROUPS_X));
  return [x, Math.ceil(groups / x)];
}

/** The dtypes GPU storage holds: float32 values, int32 indices and labels, bools (one u32 each). */
export type GpuDType = 'float32' | 'int32' | 'bool';

/** An array in GPU memory: the buffer, how many values it holds, and their dtype (4 bytes each). */
export class GpuArray {
  constructor(
    readonly buffer: GPUBuffer,
    readonly length: number,
    readonly dtype: GpuDType = 'float32',
  ) {}
}

/** The device, pipeline cache and pending work that the WebGPU kernels share. */
export class GpuContext {
  readonly device: GPUDevice;
  private readonly pipelines = new Map<string, GPUComputePipeline>();
  private encoder: GPUCommandEncoder | null = null;
  // The dispatches' small uniform blocks, packed into reused 64 kB buffers at aligned offsets: written to
  // their CPU copies while encoding, uploaded with one writeBuffer per buffer just before the submit.
  private readonly uniformChunks: { buffer: GPUBuffer; staging: Uint8Array; used: number }[] = [];
  private uniformChunk = 0;
  // The open compute pass: consecutive dispatches share one (copies end it).
  private pass: GPUComputePassEncoder | null = null;
  /** Dispatches encoded since the last submit, and submits so far (for tests and the bench). */
  pending = 0;
  submits = 0;
  /** Dispatches encoded since the context started. */
  dispatches = 0;
  /** Buffers allocated and not yet destroyed. */
  live = 0;
  // A buffer whose GpuArray was garbage-collected is destroyed, but not while the pending (unsubmitted)
  // commands may still use it: those wait here until the next submit.
  private readonly registry = new FinalizationRegistry<GPUBuffer>((buffer) => this.release(buffer));
  private released: GPUBuffer[] = [];

  constructor(device: GPUDevice) {
    this.device = device;
  }

  private release(buffer: GPUBuffer): void {
    if (this.encoder === null) {
      buffer.destroy();
      this.live--;
    } else this.released.push(buffer);
  }

  /** A zero-filled array of `length` values (at least one word is allocated: empty buffers are not allowed). */
  alloc(length: number, dtype: GpuDType = 'float32'): GpuArray {
    const buffer = this.device.createBuffer({
      size: Math.max(4, 4 * length),
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
    });
    const a = new GpuArray(buffer, length, dtype);
    this.live++;
    this.registry.register(a, buffer);
    return a;
  }

  // One-value arrays by dtype and bits: the numbers ops turn into operands (x.mul(2)) are uploaded once.
  private readonly scalars = new Map<string, GpuArray>();

  /**
   * The one-element GPU array holding `value` (a Float32Array, Int32Array or bool Uint8Array of length
   * 1), shared by every op that uses the same number; ops never write into their inputs, so sharing is safe.
   */
  scalar(value: Float32Array | Int32Array | Uint8Array): GpuArray {
    const key = `${value.constructor.name}:${value instanceof Float32Array ? new Uint32Array(value.buffer, value.byteOffset, 1)[0] : value[0]}`;
    let a = this.scalars.get(key);
    if (a === undefined) {
      if (this.scalars.size >= 4096) this.scalars.clear();
      a = this.upload(value);
      this.scalars.set(key, a);
    }
    return a;
  }

  /** A GPU copy of `values`: float32 as they are, int32 as i32, bools (a Uint8Array of 0 and 1) widened to u32. */
  upload(values: Float32Array | Int32Array | Uint8Array): GpuArray {
    const dtype: GpuDType = values instanceof Float32Array ? 'float32' : values instanceof Int32Array ? 'int32' : 'bool';
    const a = this.alloc(values.length, dtype);
    const words = values instanceof Uint8Array ? Uint32Array.from(values) : values;
    if (values.length > 0) this.device.queue.writeBuffer(a.buffer, 0, words.buffer, words.byteOffset, words.byteLength);
    return a;
  }

  /** A GPU copy of `a` (the copy is encoded in order with the pending dispatches). */
  copy(a: GpuArray): GpuArray {
    const out = this.alloc(a.length, a.dtype);
    this.copyInto(a, out);
    return out;
  }

  /** Encodes a copy of `src`'s values into `dst` (of the same length), in order with the pending dispatches. */
  copyInto(src: GpuArray, dst: GpuArray): void {
    if (src.length !== dst.length) throw new Error(`webgpu copy: ${src.length} values into ${dst.length}`);
    if (src.length > 0 && src !== dst) this.copyCommands().copyBufferToBuffer(src.buffer, 0, dst.buffer, 0, 4 * src.length);
  }

  /** Submits the pending work, then resolves to the values of `a`, in the typed array of its dtype. */
  async read(a: GpuArray): Promise<Float32Array | Int32Array | Uint8Array> {
    if (a.length === 0) return a.dtype === 'float32' ? new Float32Array(0) : a.dtype === 'int32' ? new Int32Array(0) : new Uint8Array(0);
    const staging = this.device.createBuffer({ size: 4 * a.length, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    this.copyCommands().copyBufferToBuffer(a.buffer, 0, staging, 0, 4 * a.length);
    this.flush();
    await staging.mapAsync(GPUMapMode.READ);
    const range = staging.getMappedRange();
    const out = a.dtype === 'float32' ? new Float32Array(range).slice() : a.dtype === 'int32' ? new Int32Array(range).slice() : Uint8Array.from(new Uint32Array(range));
    staging.unmap();
    staging.destroy();
    return out;
  }

  /** Submits every encoded dispatch as one command buffer. */
  flush(): void {
    if (this.encoder === null) return;
    this.endPass();
    // Queue operations run in order: these writes land after the work submitted before, and before this.
    for (const c of this.uniformChunks) {
      if (c.used > 0) this.device.queue.writeBuffer(c.buffer, 0, c.staging.buffer, c.staging.byteOffset, c.used);
      c.used = 0;
    }
    this.uniformChunk = 0;
    this.device.queue.submit([this.encoder.finish()]);
    this.encoder = null;
    this.submits++;
    this.pending = 0;
    // Submitted work keeps what it uses alive until it has run; destroying now frees the memory after that.
    for (const b of this.released) b.destroy();
    this.live -= this.released.length;
    this.released = [];
  }

  /** Encodes one dispatch of the compute shader `source` (entry point `main`) over `groups` workgroups. */
  dispatch(source: string, buffers: readonly GPUBuffer[], uniform: Uint32Array | null, groups: readonly [number, number?, number?]): void {
    const pipeline = this.pipeline(source);
    const entries: GPUBindGroupEntry[] = buffers.map((buffer, binding) => ({ binding, resource: { buffer } }));
    if (uniform !== null) entries.push({ binding: buffers.length, resource: this.uniformSlot(uniform) });
    // Each dispatch of a compute pass is its own usage scope: writes of one are seen by the next.
    const pass = (this.pass ??= this.commands().beginComputePass());
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, this.device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries }));
    pass.dispatchWorkgroups(groups[0], groups[1] ?? 1, groups[2] ?? 1);
    this.pending++;
    this.dispatches++;
  }

  /** A place for `data` in the uniform chunks (a new chunk when the current one is full). */
  private uniformSlot(data: Uint32Array): GPUBufferBinding {
    const CHUNK = 65536;
    const align = this.device.limits.minUniformBufferOffsetAlignment;
    const size = Math.max(16, data.byteLength);
    let c = this.uniformChunks[this.uniformChunk];
    if (c !== undefined && c.used + size > CHUNK) c = this.uniformChunks[++this.uniformChunk];
    if (c === undefined) {
      c = { buffer: this.device.createBuffer({ size: CHUNK, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST }), staging: new Uint8Array(CHUNK), used: 0 };
      this.uniformChunks.push(c);
    }
    const offset = c.used;
    c.staging.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), offset);
    c.used = Math.ceil((offset + size) / align) * align;
    return { buffer: c.buffer, offset, size };
  }

  /** Ends the open compute pass, before a copy or a submit. */
  private endPass(): void {
    this.pass?.end();
    this.pass = null;
  }

  /** The compiled pipeline of `source`, compiled on first use. */
  private pipeline(source: string): GPUComputePipeline {
    let p = this.pipelines.get(source);
    if (p === undefined) {
      p = this.device.createComputePipeline({ layout: 'auto', compute: { module: this.device.createShaderModule({ code: source }), entryPoint: 'main' } });
      this.pipelines.set(source, p);
    }
    return p;
  }

  /** Pipelines compiled so far. */
  get compiled(): number {
    return this.pipelines.size;
  }

  /** The encoder, with no compute pass open (copies are encoded outside passes). */
  private copyCommands(): GPUCommandEncoder {
    this.endPass();
    return this.commands();
  }

  private commands(): GPUCommandEncoder {
    return (this.encoder ??= this.device.createCommandEncoder());
  }
}

/**
 * A GPUDevice from `navigator.gpu`, or the reason there is none (no WebGPU in this runtime, or no
 * adapter: a machine without a GPU and without a software adapter).
 * @example const d = await requestGpuDevice(); if (typeof d === 'string') console.log(d);
 */
export async function requestGpuDevice(): Promise<GPUDevice | string> {
  const gpu = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
  if (gpu === undefined) return 'this runtime has no WebGPU (navigator.gpu is undefined)';
  const adapter = await gpu.requestAdapter();
  if (adapter === null) return 'WebGPU found no adapter (no GPU, and no software adapter enabled)';
  return adapter.requestDevice();
}
