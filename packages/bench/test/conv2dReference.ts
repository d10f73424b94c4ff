import { expect } from 'vitest';
import { isUnsupported, type Conv2dData, type Conv2dGradients, type Framework } from '../src/workloads.js';

/** A value computed in float64 and how far a float32 computation of it may be off. */
interface Bounded {
  value: Float64Array;
  bound: Float64Array;
}

// γ_n = n·u / (1 − n·u), u = 2^-24: the classic bound on the relative error of a float32 sum of n
// products, |fl(Σ aᵢbᵢ) − Σ aᵢbᵢ| ≤ γ_n · Σ |aᵢbᵢ| (Higham, Accuracy and Stability, §3.1), which holds
// for every summation order (blocked, pairwise, split over threads) and with fused multiply-adds; an
// algorithm that rearranges the arithmetic itself (Winograd, FFT) would not be held to it.
const gamma = (n: number) => (n * 2 ** -24) / (1 - n * 2 ** -24);

/**
 * The conv2d workload's loss sum(y · g) and its gradients of x, weight and bias, in float64 from the
 * float32 inputs, each entry with its float32 error bound γ_n · Σ|terms| (n the terms it sums).
 */
export function conv2dReference(d: Conv2dData): { loss: Bounded; x: Bounded; weight: Bounded; bias: Bounded } {
  const { batch: N, inChannels: C, outChannels: O, size: S, kernel: K, padding: P } = d;
  const xAt = (n: number, c: number, h: number, w: number) => (h < 0 || h >= S || w < 0 || w >= S ? 0 : d.x[((n * C + c) * S + h) * S + w]!);
  const wAt = (o: number, c: number, u: number, v: number) => d.weight[((o * C + c) * K + u) * K + v]!;
  const gAt = (n: number, o: number, i: number, j: number) => (i < 0 || i >= S || j < 0 || j >= S ? 0 : d.g[((n * O + o) * S + i) * S + j]!);
  const bounded = (size: number): Bounded => ({ value: new Float64Array(size), bound: new Float64Array(size) });
  const x = bounded(N * C * S * S);
  const weight = bounded(O * C * K * K);
  const bias = bounded(O);
  let loss = 0;
  let lossAbs = 0;
  for (let n = 0; n < N; n++) {
    for (let o = 0; o < O; o++) {
      for (let i = 0; i < S; i++) {
        for (let j = 0; j < S; j++) {
          let y = d.bias[o]!;
          let yAbs = Math.abs(y);
          for (let c = 0; c < C; c++) {
            for (let u = 0; u < K; u++) {
              for (let v = 0; v < K; v++) {
                const t = wAt(o, c, u, v) * xAt(n, c, i + u - P, j + v - P);
                y += t;
                yAbs += Math.abs(t);
              }
            }
          }
          const g = gAt(n, o, i, j);
          loss += y * g;
          lossAbs += yAbs * Math.abs(g);
        }
      }
    }
  }
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      for (let h = 0; h < S; h++) {
        for (let w = 0; w < S; w++) {
          let s = 0;
          let a = 0;
          for (let o = 0; o < O; o++) {
            for (let u = 0; u < K; u++) {
              for (let v = 0; v < K; v++) {
                const t = gAt(n, o, h - u + P, w - v + P) * wAt(o, c, u, v);
                s += t;
                a += Math.abs(t);
              }
            }
          }
          const at = ((n * C + c) * S + h) * S + w;
          x.value[at] = s;
          x.bound[at] = gamma(O * K * K) * a;
        }
      }
    }
  }
  for (let o = 0; o < O; o++) {
    for (let c = 0; c < C; c++) {
      for (let u = 0; u < K; u++) {
        for (let v = 0; v < K; v++) {
          let s = 0;
          let a = 0;
          for (let n = 0; n < N; n++) {
            for (let i = 0; i < S; i++) {
              for (let j = 0; j < S; j++) {
                const t = gAt(n, o, i, j) * xAt(n, c, i + u - P, j + v - P);
                s += t;
                a += Math.abs(t);
              }
            }
          }
          const at = ((o * C + c) * K + u) * K + v;
          weight.value[at] = s;
          weight.bound[at] = gamma(N * S * S) * a;
        }
      }
    }
    let s = 0;
    let a = 0;
    for (let n = 0; n < N; n++) {
      for (let i = 0; i < S; i++) {
        for (let j = 0; j < S; j++) {
          s += gAt(n, o, i, j);
          a += Math.abs(gAt(n, o, i, j));
        }
      }
    }
    bias.value[o] = s;
    bias.bound[o] = gamma(N * S * S) * a;
  }
  // The loss sums N·O·S·S products y·g, each y itself a float32 sum of C·K·K + 1 terms.
  const terms = N * O * S * S + C * K * K + 2;
  return { loss: { value: Float64Array.of(loss), bound: Float64Array.of(gamma(terms) * lossAbs) }, x, weight, bias };
}

/** A framework's conv2d loss and gradients for `d` (one pass), or throws its unsupported reason. */
export async function conv2dGradients(fw: Framework, d: Conv2dData): Promise<Conv2dGradients> {
  await fw.activate?.();
  const pass = await fw.conv2d(d);
  if (isUnsupported(pass)) throw new Error(`${fw.name}: ${pass.unsupported}`);
  try {
    // Two passes, so that a framework accumulating gradients across passes would be caught.
    await pass.step();
    return await pass.gradients();
  } finally {
    pass.dispose?.();
  }
}

/** Expects every entry of `got` within its float32 bound of the float64 reference. */
export function expectWithinBounds(name: string, got: Conv2dGradients, ref: ReturnType<typeof conv2dReference>): void {
  const check = (what: string, values: ArrayLike<number>, r: Bounded) => {
    expect(values.length, `${name} ${what} length`).toBe(r.value.length);
    for (let i = 0; i < r.value.length; i++) {
      const diff = Math.abs(values[i]! - r.value[i]!);
      // The float32 inputs are exact in float64; the result's own rounding to float32 adds half an ulp.
      const tol = r.bound[i]! + 2 ** -24 * Math.abs(r.value[i]!);
      expect(diff, `${name} ${what}[${i}]: ${values[i]} vs ${r.value[i]} (bound ${tol.toExponential(2)})`).toBeLessThanOrEqual(tol);
    }
  };
  check('loss', [got.loss], ref.loss);
  check('dx', got.x, ref.x);
  check('dW', got.weight, ref.weight);
  check('db', got.bias, ref.bias);
}
