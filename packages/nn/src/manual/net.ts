import { DlError } from '@dl/autograd';
import type { Tensor } from '@dl/autograd';
import type { ManualLayer, ManualParamLayer } from './layer.js';
import { manualParamLayers } from './twin.js';

/**
 * The course's network of hand-written layers: `forward` chains them, `backward` runs their
 * backwards in reverse, `optimizerStep(lr)` takes one plain SGD step (W −= lr·dW, b −= lr·db) on
 * every layer with parameters. The manual twin of `TorchNet` is
 * `new Net([new Linear(in, hidden), new ReLU(), new Linear(hidden, out)])`.
 * @example
 * const net = new manual.Net([new manual.Linear(784, 64), new manual.ReLU(), new manual.Linear(64, 10)]);
 * const y = net.forward(x); net.backward(dLossDy); net.optimizerStep(0.1);
 */
export class Net implements ManualLayer {
  /** The layers, in forward order. */
  readonly layers: ManualLayer[];

  constructor(layers: readonly ManualLayer[]) {
    layers.forEach((l, i) => {
      if (typeof l?.forward !== 'function' || typeof l.backward !== 'function') {
        throw new DlError(`Net: layer ${i} has no forward/backward methods`);
      }
    });
    this.layers = [...layers];
  }

  /** The layers that have parameters (W, b), in forward order, looking into nested nets. */
  paramLayers(): ManualParamLayer[] {
    return manualParamLayers(this);
  }

  /**
   * Calls `initParams(std)` on every layer with parameters; without `std` each layer uses its own
   * default (1 for Linear, 0.7071 for Conv2d).
   */
  resetParams(std?: number): void {
    for (const l of this.paramLayers()) l.initParams(std);
  }

  /** Runs x through every layer in order. */
  forward(x: Tensor): Tensor {
    let y = x;
    for (const l of this.layers) y = l.forward(y);
    return y;
  }

  /** Backpropagates `dupstream` (∂loss/∂output) through every layer in reverse; returns ∂loss/∂input. */
  backward(dupstream: Tensor): Tensor {
    let d = dupstream;
    for (let i = this.layers.length - 1; i >= 0; i--) d = this.layers[i]!.backward(d);
    return d;
  }

  /** One plain SGD step in place on every layer with parameters: W −= lr·dW, b −= lr·db. */
  optimizerStep(lr: number): void {
    if (!Number.isFinite(lr)) throw new DlError(`Net.optimizerStep: lr must be a finite number, got ${lr}`);
    const layers = this.paramLayers();
    layers.forEach((l, i) => {
      if (l.dW === null || l.db === null) {
        throw new DlError(`Net.optimizerStep: ${l.constructor.name} (layer ${i} with parameters) has no gradients; call backward first`);
      }
    });
    for (const l of layers) {
      sgd(l.W.data, l.dW!.data, lr);
      sgd(l.b.data, l.db!.data, lr);
    }
  }
}

function sgd(p: Tensor['data'], g: Tensor['data'], lr: number): void {
  for (let i = 0; i < p.length; i++) p[i] = p[i]! - lr * g[i]!;
}
