// Weight initialisation in place, as torch.nn.init, drawing from the seeded generator.
import { defaultGenerator, fill_, markModified, noGrad, Generator, type Tensor, DlError, checks as C } from '@dl/autograd';

const gen = C.generator;
import { fmt } from './checks.js';

/** The nonlinearities `calculateGain` knows, named as in PyTorch. */
export type Nonlinearity =
  | 'linear' | 'conv1d' | 'conv2d' | 'conv3d' | 'conv_transpose1d' | 'conv_transpose2d' | 'conv_transpose3d'
  | 'sigmoid' | 'tanh' | 'relu' | 'leaky_relu' | 'selu';

/** Which fan scales the kaiming initialisations: `fan_in` keeps forward variances, `fan_out` backward ones. */
export type FanMode = 'fan_in' | 'fan_out';

/** The generator to draw from (the default one, seeded by `manualSeed`, unless given). */
export interface InitOptions {
  generator?: Generator;
}

/** Options of the kaiming initialisations, with PyTorch's defaults. */
export interface KaimingOptions extends InitOptions {
  /** The negative slope of the leaky ReLU that follows (0). */
  a?: number;
  mode?: FanMode;
  nonlinearity?: Nonlinearity;
}

/**
 * The recommended gain for a nonlinearity, as PyTorch's `calculate_gain`: 1 for linear layers and
 * sigmoid, 5/3 for tanh, √2 for relu, √(2 / (1 + slope²)) for leaky_relu, 3/4 for selu.
 * @example calculateGain('leaky_relu', Math.sqrt(5)) // √(1/3)
 */
export const calculateGain = C.api(C.sig('calculateGain', ['nonlinearity', C.string], ['param', C.optional(C.number)]), function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case 'linear': case 'conv1d': case 'conv2d': case 'conv3d':
    case 'conv_transpose1d': case 'conv_transpose2d': case 'conv_transpose3d': case 'sigmoid':
      return 1;
    case 'tanh':
      return 5 / 3;
    case 'relu':
      return Math.SQRT2;
    case 'leaky_relu': {
      const slope = param ?? 0.01;
      if (typeof slope !== 'number' || !Number.isFinite(slope)) throw new DlError(`calculateGain: negative slope ${String(slope)} is not a valid number`);
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case 'selu':
      return 3 / 4;
    default:
      throw new DlError(`calculateGain: unsupported nonlinearity '${String(nonlinearity)}'`);
  }
});

/**
 * The fan-in and fan-out of a weight, as PyTorch computes them: [out, in, ...kernel] gives
 * fanIn = in·∏kernel and fanOut = out·∏kernel. Needs at least 2 dims.
 */
export const calculateFanInAndFanOut = C.api(C.sig('calculateFanInAndFanOut', ['tensor', C.tensor]), function calculateFanInAndFanOut(t: Tensor): { fanIn: number; fanOut: number } {
  if (t.ndim < 2) throw new DlError(`init: fan in and fan out cannot be computed for a tensor of shape ${fmt(t.shape)} (fewer than 2 dims)`);
  let receptive = 1;
  for (let d = 2; d < t.ndim; d++) receptive *= t.shape[d]!;
  return { fanIn: t.shape[1]! * receptive, fanOut: t.shape[0]! * receptive };
});

function fanOf(name: string, t: Tensor, mode: FanMode): number {
  const { fanIn, fanOut } = calculateFanInAndFanOut(t);
  if (mode !== 'fan_in' && mode !== 'fan_out') throw new DlError(`${name}: mode must be 'fan_in' or 'fan_out', got '${String(mode)}'`);
  const fan = mode === 'fan_in' ? fanIn : fanOut;
  if (fan === 0) throw new DlError(`${name}: cannot initialise a tensor of shape ${fmt(t.shape)} with zero ${mode}`);
  return fan;
}

/**
 * Fills `t` in place with values drawn uniformly from [a, b) (0 and 1 by default); returns `t`.
 * @example uniform_(bias, { a: -0.1, b: 0.1 })
 */
export const uniform_ = C.api(C.sig('uniform_', ['tensor', C.floatTensor], ['options', C.options({ a: C.finite(), b: C.finite(), generator: gen }, { positional: ['a', 'b', 'generator'] })]), function uniform_(t: Tensor, options: InitOptions & { a?: number; b?: number } = {}): Tensor {
  const a = options.a ?? 0;
  const b = options.b ?? 1;
  if (!(a <= b)) throw new DlError(`uniform_: expects a <= b, got a ${a} and b ${b}`);
  const g = options.generator ?? defaultGenerator;
  const d = t.data;
  for (let i = 0; i < d.length; i++) d[i] = a + (b - a) * g.uniform();
  markModified(t);
  return t;
}) as C.Checked<(tensor: Tensor, ...args: [options?: InitOptions & { a?: number; b?: number }] | [a: number, b?: number, generator?: Generator]) => Tensor>;

/** Fills `t` in place with values drawn from N(mean, std²) (0 and 1 by default); returns `t`. */
export const normal_ = C.api(C.sig('normal_', ['tensor', C.floatTensor], ['options', C.options({ mean: C.finite(), std: C.number, generator: gen }, { positional: ['mean', 'std', 'generator'] })]), function normal_(t: Tensor, options: InitOptions & { mean?: number; std?: number } = {}): Tensor {
  const mean = options.mean ?? 0;
  const std = options.std ?? 1;
  if (!(std >= 0)) throw new DlError(`normal_: std must be non-negative, got ${std}`);
  const g = options.generator ?? defaultGenerator;
  const d = t.data;
  for (let i = 0; i < d.length; i++) d[i] = mean + std * g.normal();
  markModified(t);
  return t;
}) as C.Checked<(tensor: Tensor, ...args: [options?: InitOptions & { mean?: number; std?: number }] | [mean: number, std?: number, generator?: Generator]) => Tensor>;

/** Fills `t` with `value` in place; returns `t`. */
export const constant_ = C.api(C.sig('constant_', ['tensor', C.tensor], ['value', C.number]), function constant_(t: Tensor, value: number): Tensor {
  // PyTorch's constant_ is fill_ under no_grad: a bool tensor gets value ≠ 0, an int32 one the value as its dtype holds it.
  return noGrad(() => fill_(t, value));
});
/** Fills `t` with zeros in place; returns `t`. */
export const zeros_ = C.api(C.sig('zeros_', ['tensor', C.tensor]), function zeros_(t: Tensor): Tensor {
  return constant_(t, 0);
});
/** Fills `t` with ones in place; returns `t`. */
export const ones_ = C.api(C.sig('ones_', ['tensor', C.tensor]), function ones_(t: Tensor): Tensor {
  return constant_(t, 1);
});

/**
 * He initialisation, uniform: U(−bound, bound) with bound = gain·√(3 / fan), gain from
 * `calculateGain(nonlinearity, a)`. PyTorch's Linear and Conv2d use `{ a: Math.sqrt(5) }`.
 * @example kaimingUniform_(conv.weight, { nonlinearity: 'relu' })
 */
export const kaimingUniform_ = C.api(C.sig('kaimingUniform_', ['tensor', C.floatTensor], ['options', C.options({ a: C.finite(), mode: C.oneOf('fan_in', 'fan_out'), nonlinearity: C.oneOf('linear', 'conv1d', 'conv2d', 'conv3d', 'conv_transpose1d', 'conv_transpose2d', 'conv_transpose3d', 'sigmoid', 'tanh', 'relu', 'leaky_relu', 'selu'), generator: gen }, { positional: ['a', 'mode', 'nonlinearity', 'generator'] })]), function kaimingUniform_(t: Tensor, options: KaimingOptions = {}): Tensor {
  const fan = fanOf('kaimingUniform_', t, options.mode ?? 'fan_in');
  const std = calculateGain(options.nonlinearity ?? 'leaky_relu', options.a ?? 0) / Math.sqrt(fan);
  const bound = Math.sqrt(3) * std;
  return uniform_(t, { a: -bound, b: bound, generator: options.generator });
}) as C.Checked<(tensor: Tensor, ...args: [options?: KaimingOptions] | [a: number, mode?: FanMode, nonlinearity?: Nonlinearity, generator?: Generator]) => Tensor>;

/** He initialisation, normal: N(0, std²) with std = gain / √fan. */
export const kaimingNormal_ = C.api(C.sig('kaimingNormal_', ['tensor', C.floatTensor], ['options', C.options({ a: C.finite(), mode: C.oneOf('fan_in', 'fan_out'), nonlinearity: C.oneOf('linear', 'conv1d', 'conv2d', 'conv3d', 'conv_transpose1d', 'conv_transpose2d', 'conv_transpose3d', 'sigmoid', 'tanh', 'relu', 'leaky_relu', 'selu'), generator: gen }, { positional: ['a', 'mode', 'nonlinearity', 'generator'] })]), function kaimingNormal_(t: Tensor, options: KaimingOptions = {}): Tensor {
  const fan = fanOf('kaimingNormal_', t, options.mode ?? 'fan_in');
  const std = calculateGain(options.nonlinearity ?? 'leaky_relu', options.a ?? 0) / Math.sqrt(fan);
  return normal_(t, { std, generator: options.generator });
}) as C.Checked<(tensor: Tensor, ...args: [options?: KaimingOptions] | [a: number, mode?: FanMode, nonlinearity?: Nonlinearity, generator?: Generator]) => Tensor>;

/**
 * Glorot initialisation, uniform: U(−a, a) with a = gain·√(6 / (fanIn + fanOut)).
 * @example xavierUniform_(linear.weight, { gain: calculateGain('tanh') })
 */
export const xavierUniform_ = C.api(C.sig('xavierUniform_', ['tensor', C.floatTensor], ['options', C.options({ gain: C.finite(), generator: gen }, { positional: ['gain', 'generator'] })]), function xavierUniform_(t: Tensor, options: InitOptions & { gain?: number } = {}): Tensor {
  const { fanIn, fanOut } = calculateFanInAndFanOut(t);
  const a = (options.gain ?? 1) * Math.sqrt(6 / (fanIn + fanOut));
  return uniform_(t, { a: -a, b: a, generator: options.generator });
}) as C.Checked<(tensor: Tensor, ...args: [options?: InitOptions & { gain?: number }] | [gain: number, generator?: Generator]) => Tensor>;

/** Glorot initialisation, normal: N(0, std²) with std = gain·√(2 / (fanIn + fanOut)). */
export const xavierNormal_ = C.api(C.sig('xavierNormal_', ['tensor', C.floatTensor], ['options', C.options({ gain: C.finite(), generator: gen }, { positional: ['gain', 'generator'] })]), function xavierNormal_(t: Tensor, options: InitOptions & { gain?: number } = {}): Tensor {
  const { fanIn, fanOut } = calculateFanInAndFanOut(t);
  const std = (options.gain ?? 1) * Math.sqrt(2 / (fanIn + fanOut));
  return normal_(t, { std, generator: options.generator });
}) as C.Checked<(tensor: Tensor, ...args: [options?: InitOptions & { gain?: number }] | [gain: number, generator?: Generator]) => Tensor>;


// truncNormal_ and orthogonal_, as torch.nn.init's trunc_normal_ and orthogonal_.
/** Options of `truncNormal_`, PyTorch's defaults: N(0, 1) cut to [−2, 2]. */
export interface TruncNormalOptions extends InitOptions {
  mean?: number;
  std?: number;
  /** The lower cut-off (−2, in absolute value units, not standard deviations, as PyTorch). */
  a?: number;
  /** The upper cut-off (2). */
  b?: number;
}

/**
 * Fills `t` in place with values from N(mean, std²) conditioned on [a, b] (redrawing those outside),
 * as PyTorch's `trunc_normal_`; returns `t`.
 * @example truncNormal_(embedding.weight, { std: 0.02 }) // ViT-style
 */
export const truncNormal_ = C.api(C.sig('truncNormal_', ['tensor', C.floatTensor], ['options', C.options({ mean: C.finite(), std: C.number, a: C.number, b: C.number, generator: gen }, { positional: ['mean', 'std', 'a', 'b', 'generator'] })]), function truncNormal_(t: Tensor, options: TruncNormalOptions = {}): Tensor {
  const mean = options.mean ?? 0;
  const std = options.std ?? 1;
  const a = options.a ?? -2;
  const b = options.b ?? 2;
  if (![mean, std, a, b].every((v) => typeof v === 'number' && !Number.isNaN(v)) || !(std >= 0) || !(a <= b)) {
    throw new DlError(`truncNormal_: expects std >= 0 and a <= b, got mean ${mean}, std ${std}, a ${a}, b ${b}`);
  }
  const g = options.generator ?? defaultGenerator;
  const d = t.data;
  for (let i = 0; i < d.length; i++) {
    if (std === 0) {
      d[i] = Math.min(b, Math.max(a, mean));
      continue;
    }
    // Rejection keeps the exact conditional distribution; a bound on the draws catches intervals far in a tail.
    let v = mean + std * g.normal();
    for (let tries = 1; v < a || v > b; tries++) {
      if (tries > 100_000) throw new DlError(`truncNormal_: [${a}, ${b}] lies too far in the tail of N(${mean}, ${std}²) to sample by rejection`);
      v = mean + std * g.normal();
    }
    d[i] = v;
  }
  markModified(t);
  return t;
}) as C.Checked<(tensor: Tensor, ...args: [options?: TruncNormalOptions] | [mean: number, std?: number, a?: number, b?: number, generator?: Generator]) => Tensor>;

/** Options of `orthogonal_`. */
export interface OrthogonalOptions extends InitOptions {
  /** A scale for the result (1). */
  gain?: number;
}

/**
 * The orthonormal Q [m, n] (m ≥ n) of a = QR with R's diagonal positive, by Gram–Schmidt with one
 * re-orthogonalisation pass ("twice is enough": orthogonal to rounding, whatever the conditioning).
 */
function orthonormalColumns(a: Float64Array, m: number, n: number): Float64Array {
  const q = new Float64Array(m * n);
  const col = new Float64Array(m);
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < m; i++) col[i] = a[i * n + j]!;
    for (let pass = 0; pass < 2; pass++) {
      for (let k = 0; k < j; k++) {
        let dot = 0;
        for (let i = 0; i < m; i++) dot += q[i * n + k]! * col[i]!;
        for (let i = 0; i < m; i++) col[i] = col[i]! - dot * q[i * n + k]!;
      }
    }
    let nrm = 0;
    for (let i = 0; i < m; i++) nrm += col[i]! * col[i]!;
    nrm = Math.sqrt(nrm);
    if (nrm === 0) throw new DlError('orthogonal_: the random matrix drawn was rank-deficient; draw again');
    for (let i = 0; i < m; i++) q[i * n + j] = col[i]! / nrm;
  }
  return q;
}

/**
 * Fills `t` (at least 2 dims, seen as [size(0), rest]) in place with a (semi-)orthogonal matrix: the Q
 * of a Gaussian matrix's QR decomposition, sign-fixed so R's diagonal is positive, times `gain`, as
 * PyTorch's `orthogonal_` (computed in float64). Rows are orthonormal when there are fewer rows than
 * columns, else columns are.
 * @example orthogonal_(rnn.weight_hh_l0, { gain: 1 })
 */
export const orthogonal_ = C.api(C.sig('orthogonal_', ['tensor', C.floatTensor], ['options', C.options({ gain: C.finite(), generator: gen }, { positional: ['gain', 'generator'] })]), function orthogonal_(t: Tensor, options: OrthogonalOptions = {}): Tensor {
  if (t.ndim < 2) throw new DlError(`orthogonal_: only tensors with 2 or more dimensions are supported, got shape ${fmt(t.shape)}`);
  const gain = options.gain ?? 1;
  if (typeof gain !== 'number' || !Number.isFinite(gain)) throw new DlError(`orthogonal_: gain must be a finite number, got ${String(gain)}`);
  if (t.numel() === 0) return t;
  const rows = t.shape[0]!;
  const cols = t.numel() / rows;
  const g = options.generator ?? defaultGenerator;
  // Draw [rows, cols]; work on its transpose when it is wide, so the QR is of a tall matrix.
  const [m, n] = rows < cols ? [cols, rows] : [rows, cols];
  const a = new Float64Array(m * n);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const v = g.normal();
      if (rows < cols) a[j * n + i] = v;
      else a[i * n + j] = v;
    }
  }
  const q = orthonormalColumns(a, m, n);
  const d = t.data;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) d[i * cols + j] = gain * (rows < cols ? q[j * n + i]! : q[i * n + j]!);
  }
  markModified(t);
  return t;
}) as C.Checked<(tensor: Tensor, ...args: [options?: OrthogonalOptions] | [gain: number, generator?: Generator]) => Tensor>;
