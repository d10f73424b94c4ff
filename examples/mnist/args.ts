// Command-line flags of the MNIST example: parsed and checked before any work starts.

/** Which model to train. */
export type ModelKind = 'cnn' | 'mlp' | 'manual';
/** Which optimizer to train with. */
export type OptimizerKind = 'adam' | 'sgd' | 'momentum' | 'rmsprop';

/** Everything the run needs, with defaults filled in. */
export interface Args {
  epochs: number;
  batchSize: number;
  lr: number | undefined;
  optimizer: OptimizerKind;
  seed: number;
  model: ModelKind;
  hidden: number;
  trainSize: number;
  testSize: number;
  out: string;
  resume: string | undefined;
  limitBatches: number | undefined;
  shift: number;
  help: boolean;
}

/** The help text, listing every flag and its default. */
export const usage = `Usage: pnpm run mnist [-- flags]

Trains a model on 10,000 real MNIST digits (8,000 train / 2,000 test) and writes
weights (safetensors) and an SVG plot of the training and test curves.

  --model cnn|mlp|manual   TorchCNN, TorchNet, or the hand-written manual CNN (default cnn)
  --epochs N               passes over the training set (default 4)
  --batch-size N           samples per step (default 64)
  --lr X                   peak learning rate, decayed by a cosine (default: 0.003 for adam/rmsprop,
                           0.05 for sgd/momentum and the manual model)
  --optimizer NAME         adam | sgd | momentum | rmsprop (default adam; manual models use plain SGD)
  --hidden N               hidden channels (cnn, manual) or units (mlp) (default 32 / 128)
  --seed N                 seed for init, split, shuffling and augmentation (default 0)
  --shift N                move each training image by up to N pixels each time it is seen
                           (augmentation, as torchvision's RandomAffine translate; default 1, 0 = off)
  --train-size N           training samples (default 8000)
  --test-size N            test samples (default 2000)
  --out DIR                output folder (default examples/out/mnist)
  --resume FILE            start from weights saved by an earlier run (a warm start:
                           the optimizer state and the schedule begin afresh)
  --limit-batches N        stop each epoch after N batches (smoke tests)
  --help                   this text`;

const numeric = new Set(['epochs', 'batch-size', 'lr', 'seed', 'hidden', 'train-size', 'test-size', 'limit-batches', 'shift']);

/** Parses `argv` (without node and script); throws an Error with a user-facing message on bad input. */
export function parseArgs(argv: readonly string[]): Args {
  const raw = new Map<string, string>();
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') continue;
    if (arg === '--help' || arg === '-h') {
      help = true;
      continue;
    }
    if (!arg.startsWith('--')) throw new Error(`unexpected argument '${arg}' (flags start with --)`);
    const [name, inline] = arg.slice(2).split('=', 2) as [string, string | undefined];
    const known = ['model', 'epochs', 'batch-size', 'lr', 'optimizer', 'hidden', 'seed', 'train-size', 'test-size', 'out', 'resume', 'limit-batches', 'shift'];
    if (!known.includes(name)) throw new Error(`unknown flag '--${name}' (see --help)`);
    const value = inline ?? argv[++i];
    if (value === undefined || value.startsWith('--')) throw new Error(`flag '--${name}' needs a value`);
    if (numeric.has(name) && !Number.isFinite(Number(value))) throw new Error(`flag '--${name}' needs a number, got '${value}'`);
    raw.set(name, value);
  }
  const int = (name: string, def: number, min: number): number => {
    const v = raw.has(name) ? Number(raw.get(name)) : def;
    if (!Number.isInteger(v) || v < min) throw new Error(`--${name} must be an integer >= ${min}, got ${raw.get(name)}`);
    return v;
  };
  const model = (raw.get('model') ?? 'cnn') as ModelKind;
  if (!['cnn', 'mlp', 'manual'].includes(model)) throw new Error(`--model must be cnn, mlp or manual, got '${model}'`);
  const optimizer = (raw.get('optimizer') ?? 'adam') as OptimizerKind;
  if (!['adam', 'sgd', 'momentum', 'rmsprop'].includes(optimizer)) {
    throw new Error(`--optimizer must be adam, sgd, momentum or rmsprop, got '${optimizer}'`);
  }
  const lr = raw.has('lr') ? Number(raw.get('lr')) : undefined;
  if (lr !== undefined && !(lr > 0)) throw new Error(`--lr must be positive, got ${raw.get('lr')}`);
  return {
    epochs: int('epochs', 4, 1),
    batchSize: int('batch-size', 64, 1),
    lr,
    optimizer,
    seed: int('seed', 0, 0),
    model,
    hidden: int('hidden', model === 'mlp' ? 128 : 32, 1),
    trainSize: int('train-size', 8000, 1),
    testSize: int('test-size', 2000, 1),
    out: raw.get('out') ?? 'examples/out/mnist',
    resume: raw.get('resume'),
    limitBatches: raw.has('limit-batches') ? int('limit-batches', 0, 1) : undefined,
    shift: int('shift', 1, 0),
    help,
  };
}
