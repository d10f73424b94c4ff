// The three trainable models behind one interface: autograd CNN/MLP with an optimizer, or the manual CNN.
import { noGrad, softmax, sub, div, zeros, type Tensor } from '@dl/autograd';
import { TorchCNN, TorchNet, crossEntropy, manual, type Module } from '@dl/nn';
import { Adam, CosineAnnealingLR, Momentum, RMSProp, SGD } from '@dl/optim';
import type { Args } from './args.js';

/** One training step and inference, whatever the model is. */
export interface Trainer {
  /** Describes the model for the log. */
  readonly description: string;
  /** One step on a batch; returns the loss and the logits. */
  step(images: Tensor, labels: Tensor): { loss: number; logits: Tensor };
  /** Logits without recording anything. */
  predict(images: Tensor): Tensor;
  /** The weights, with PyTorch's key names. */
  stateDict(): Record<string, Tensor>;
  /** Loads weights saved by `stateDict`; throws naming mismatched keys or shapes. */
  loadStateDict(dict: Record<string, Tensor>): void;
}

/** The default learning rate of each optimizer. */
export function defaultLr(args: Args): number {
  if (args.model === 'manual') return 0.05;
  return args.optimizer === 'adam' || args.optimizer === 'rmsprop' ? 0.003 : 0.05;
}

function autogradTrainer(model: Module, args: Args, totalSteps: number, input: (x: Tensor) => Tensor): Trainer {
  const lr = args.lr ?? defaultLr(args);
  const params = model.parameters();
  const optimizer =
    args.optimizer === 'adam' ? new Adam(params, { lr })
    : args.optimizer === 'rmsprop' ? new RMSProp(params, { lr })
    : args.optimizer === 'momentum' ? new Momentum(params, { lr, rho: 0.9 })
    : new SGD(params, { lr });
  // The learning rate follows a cosine from lr down to 0 over the whole run, stepped every batch.
  const schedule = new CosineAnnealingLR(optimizer, { tMax: totalSteps });
  return {
    description: `${model.constructor.name} (${params.reduce((n, p) => n + p.numel(), 0)} parameters), ${optimizer.constructor.name} lr ${lr} with cosine decay`,
    step(images, labels) {
      model.train();
      const logits = model.forward(input(images));
      const loss = crossEntropy(logits, labels);
      optimizer.zeroGrad();
      loss.backward();
      optimizer.step();
      schedule.step();
      return { loss: loss.item(), logits: logits.detach() };
    },
    predict: (images) => noGrad(() => {
      model.eval();
      return model.forward(input(images));
    }),
    stateDict: () => model.stateDict(),
    loadStateDict: (dict) => void model.loadStateDict(dict),
  };
}

function manualTrainer(args: Args): Trainer {
  const lr = args.lr ?? defaultLr(args);
  const cnn = new manual.CNN(1, args.hidden, 10);
  // Starts from PyTorch's default initialisation (the course's N(0, 0.7071²) diverges at this depth), and
  // is saved and loaded through the autograd twin, so the weights have TorchCNN's names and layout.
  const twin = new TorchCNN(1, args.hidden, 10);
  manual.copyFromTwin(twin, cnn);
  return {
    description: `manual CNN with hand-written backward (hidden ${args.hidden}), plain SGD lr ${lr}`,
    step(images, labels) {
      const logits = cnn.forward(images);
      const n = labels.numel();
      const { loss, dLogits } = noGrad(() => {
        // Cross-entropy and its gradient by hand: (softmax − onehot) / N.
        const onehot = zeros(logits.shape);
        for (let i = 0; i < n; i++) onehot.data[i * 10 + labels.data[i]!] = 1;
        const p = softmax(logits, 1);
        let l = 0;
        for (let i = 0; i < n; i++) l -= Math.log(Math.max(p.data[i * 10 + labels.data[i]!]!, 1e-30));
        return { loss: l / n, dLogits: div(sub(p, onehot), n) };
      });
      cnn.backward(dLogits);
      cnn.optimizerStep(lr);
      return { loss, logits };
    },
    predict: (images) => cnn.forward(images),
    stateDict: () => {
      manual.copyToTwin(cnn, twin);
      return twin.stateDict();
    },
    loadStateDict: (dict) => {
      twin.loadStateDict(dict);
      manual.copyFromTwin(twin, cnn);
    },
  };
}

/** Builds the model and its training step chosen by the flags, for a run of `totalSteps` batches. */
export function makeTrainer(args: Args, totalSteps: number): Trainer {
  if (args.model === 'manual') return manualTrainer(args);
  if (args.model === 'mlp') return autogradTrainer(new TorchNet(784, args.hidden, 10), args, totalSteps, (x) => x.reshape(x.shape[0]!, 784));
  return autogradTrainer(new TorchCNN(1, args.hidden, 10), args, totalSteps, (x) => x);
}
