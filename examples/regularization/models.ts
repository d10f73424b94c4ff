// The four ways the regularization example trains one MLP: plain, dropout, weight decay, batch norm.
import { Generator } from '@dl/autograd';
import { BatchNorm1d, Dropout, Flatten, Linear, ReLU, Sequential, type Module } from '@dl/nn';
import { Adam } from '@dl/optim';

/** The regularizers the example compares, in the order of its table. */
export const METHODS = ['plain', 'dropout', 'weight-decay', 'batch-norm'] as const;
/** One of `METHODS`. */
export type Method = (typeof METHODS)[number];

/** How each method is set up: its model, its optimizer, and a line for the log. */
export interface Setup {
  model: Module;
  optimizer: Adam;
  description: string;
}

/** Settings shared by every method, so that only the regularizer differs. */
export interface SetupOptions {
  hidden: number;
  lr: number;
  dropout: number;
  inputDropout: number;
  weightDecay: number;
  seed: number;
}

/**
 * Builds the MLP 784 → hidden → hidden → 10 for `method`, its weights drawn from `seed` so every
 * method starts from the same weights (batch norm's extra layers have fixed initial values).
 */
export function makeSetup(method: Method, o: SetupOptions): Setup {
  const g = new Generator(o.seed);
  const linear = (i: number, out: number) => new Linear(i, out, { generator: g });
  const block = (i: number): Module[] => {
    const fc = linear(i, o.hidden);
    if (method === 'dropout') return [fc, new ReLU(), new Dropout(o.dropout)];
    if (method === 'batch-norm') return [fc, new BatchNorm1d(o.hidden), new ReLU()];
    return [fc, new ReLU()];
  };
  // Dropout on the pixels as well as on the hidden units, as Srivastava et al. (2014) train MLPs.
  const input: Module[] = method === 'dropout' && o.inputDropout > 0 ? [new Dropout(o.inputDropout)] : [];
  const model = new Sequential(new Flatten(), ...input, ...block(784), ...block(o.hidden), linear(o.hidden, 10));
  const weightDecay = method === 'weight-decay' ? o.weightDecay : 0;
  const optimizer = new Adam(model.parameters(), { lr: o.lr, weightDecay });
  const what: Record<Method, string> = {
    plain: 'no regularization',
    dropout: `dropout p=${o.inputDropout} on the pixels and p=${o.dropout} after each hidden layer`,
    'weight-decay': `L2 weight decay ${o.weightDecay} in Adam`,
    'batch-norm': 'BatchNorm1d before each hidden ReLU',
  };
  return { model, optimizer, description: what[method] };
}
