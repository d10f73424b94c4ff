// Direct scalar transcriptions of the update rules in PyTorch's documentation (the pseudo-code boxes of
// torch.optim.SGD, RMSprop, Adam, AdamW, Adagrad) and of the course's momentum. Plain loops over
// numbers, one element at a time, written from the docs and not from src/, so the tests compare two
// independent writings of each rule.

/** The optimizers the reference knows. */
export type Kind = 'SGD' | 'Momentum' | 'RMSProp' | 'Adam' | 'AdamW' | 'Adagrad';

/** Hyper-parameters with every field filled in (the reference has no defaults of its own). */
export type RefOptions = Record<string, number | boolean | number[]>;

/** The per-parameter memory of the reference: t counts this parameter's steps. */
export interface RefState {
  t: number;
  buf: number[];
  a: number[];
  b: number[];
  c: number[];
}

export function newRefState(n: number, o: RefOptions, kind: Kind): RefState {
  const init = kind === 'Adagrad' ? (o.initialAccumulatorValue as number) : 0;
  return { t: 0, buf: new Array(n).fill(0), a: new Array(n).fill(init), b: new Array(n).fill(0), c: new Array(n).fill(0) };
}

/** One step of `kind` on the parameter `theta` (updated in place) with gradient `grad`. */
export function referenceStep(kind: Kind, o: RefOptions, s: RefState, theta: number[], grad: readonly number[]): void {
  s.t += 1;
  const t = s.t;
  const lr = o.lr as number;
  const wd = (o.weightDecay as number) ?? 0;
  for (let i = 0; i < theta.length; i++) {
    let g = o.maximize ? -grad[i]! : grad[i]!;
    switch (kind) {
      case 'SGD': {
        if (wd !== 0) g = g + wd * theta[i]!;
        const mu = o.momentum as number;
        const tau = o.dampening as number;
        if (mu !== 0) {
          if (t > 1) s.buf[i] = mu * s.buf[i]! + (1 - tau) * g;
          else s.buf[i] = g;
          if (o.nesterov) g = g + mu * s.buf[i]!;
          else g = s.buf[i]!;
        }
        theta[i] = theta[i]! - lr * g;
        break;
      }
      case 'Momentum': {
        // The course: v_t = ρ·v_{t−1} + (1 − ρ)·g_t, θ_t = θ_{t−1} − lr·v_t.
        if (wd !== 0) g = g + wd * theta[i]!;
        const rho = o.rho as number;
        s.buf[i] = rho * s.buf[i]! + (1 - rho) * g;
        theta[i] = theta[i]! - lr * s.buf[i]!;
        break;
      }
      case 'RMSProp': {
        if (wd !== 0) g = g + wd * theta[i]!;
        const alpha = o.alpha as number;
        s.a[i] = alpha * s.a[i]! + (1 - alpha) * g * g; // v_t
        let vTilde = s.a[i]!;
        if (o.centered) {
          s.b[i] = s.b[i]! * alpha + (1 - alpha) * g; // g^ave_t
          vTilde = vTilde - s.b[i]! * s.b[i]!;
        }
        const mu = o.momentum as number;
        if (mu > 0) {
          s.buf[i] = mu * s.buf[i]! + g / (Math.sqrt(vTilde) + (o.eps as number));
          theta[i] = theta[i]! - lr * s.buf[i]!;
        } else theta[i] = theta[i]! - (lr * g) / (Math.sqrt(vTilde) + (o.eps as number));
        break;
      }
      case 'Adam':
      case 'AdamW': {
        const [beta1, beta2] = o.betas as number[];
        const decoupled = kind === 'AdamW' || o.decoupledWeightDecay === true;
        if (decoupled) theta[i] = theta[i]! - lr * wd * theta[i]!;
        else if (wd !== 0) g = g + wd * theta[i]!;
        s.a[i] = beta1! * s.a[i]! + (1 - beta1!) * g; // m_t
        s.b[i] = beta2! * s.b[i]! + (1 - beta2!) * g * g; // v_t
        const mHat = s.a[i]! / (1 - beta1! ** t);
        let vHat: number;
        if (o.amsgrad) {
          s.c[i] = Math.max(s.c[i]!, s.b[i]!); // v_t^max
          vHat = s.c[i]! / (1 - beta2! ** t);
        } else vHat = s.b[i]! / (1 - beta2! ** t);
        theta[i] = theta[i]! - (lr * mHat) / (Math.sqrt(vHat) + (o.eps as number));
        break;
      }
      case 'Adagrad': {
        const lrT = lr / (1 + (t - 1) * (o.lrDecay as number));
        if (wd !== 0) g = g + wd * theta[i]!;
        s.a[i] = s.a[i]! + g * g; // state_sum_t
        theta[i] = theta[i]! - (lrT * g) / (Math.sqrt(s.a[i]!) + (o.eps as number));
        break;
      }
    }
  }
}
