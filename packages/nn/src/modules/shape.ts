import { flatten, type Generator, type Tensor } from '@dl/autograd';
import { Module } from '../module.js';
import { checkRange } from '../checks.js';
import { reprBool, reprFloat } from '../repr.js';
import { dropout } from '../functional/activation.js';
import { dropout2dAs } from '../functional/normalization.js';

/** Options of `Dropout` and `Dropout2d`. */
export interface DropoutModuleOptions {
  /** The generator to draw the masks from (the default, seeded one unless given). */
  generator?: Generator;
}

/**
 * Merges dims `startDim..endDim` (1 and −1 by default, keeping the batch dim), as PyTorch's `nn.Flatten`.
 * @example new Flatten().forward(x) // [N, 16, 7, 7] → [N, 784]
 */
export class Flatten extends Module {
  readonly startDim: number;
  readonly endDim: number;
  constructor(options: { startDim?: number; endDim?: number } = {}) {
    super();
    this.startDim = options.startDim ?? 1;
    this.endDim = options.endDim ?? -1;
  }
  /** x [..., d_start, ..., d_end, ...] → [..., d_start·…·d_end, ...]. */
  forward(x: Tensor): Tensor {
    return flatten(x, { startDim: this.startDim, endDim: this.endDim });
  }
  override extraRepr(): string {
    return `start_dim=${this.startDim}, end_dim=${this.endDim}`;
  }
}

/** Returns its input, as PyTorch's `nn.Identity` (a placeholder, e.g. to remove a layer). */
export class Identity extends Module {
  /** Returns x itself. */
  forward(x: Tensor): Tensor {
    return x;
  }
}

/**
 * In training mode, zeroes each element with probability p (0.5) and scales the rest by 1/(1 − p);
 * in evaluation mode, the identity. As PyTorch's `nn.Dropout`.
 * @example const drop = new Dropout(0.2); model.eval(); // now a no-op
 */
export class Dropout extends Module {
  readonly p: number;
  readonly #generator: Generator | undefined;
  constructor(p = 0.5, options: DropoutModuleOptions = {}) {
    super();
    this.p = checkRange('Dropout', 'p', p, 0, 1);
    this.#generator = options.generator;
  }
  /** Drops elements in training mode; returns x itself in eval mode. */
  forward(x: Tensor): Tensor {
    return dropout(x, { p: this.p, training: this.training, generator: this.#generator });
  }
  override extraRepr(): string {
    return `p=${reprFloat(this.p)}, inplace=${reprBool(false)}`;
  }
}

/**
 * In training mode, zeroes each whole channel (feature map) with probability p (0.5) and scales the
 * rest by 1/(1 − p); in evaluation mode, the identity. As PyTorch's `nn.Dropout2d`, on [N, C, H, W]
 * or unbatched [C, H, W] input.
 * @example const drop = new Dropout2d(0.1); drop.forward(features); // [N, C, H, W]
 */
export class Dropout2d extends Module {
  /** The probability of dropping a channel. */
  readonly p: number;
  readonly #generator: Generator | undefined;
  constructor(p = 0.5, options: DropoutModuleOptions = {}) {
    super();
    this.p = checkRange('Dropout2d', 'p', p, 0, 1);
    this.#generator = options.generator;
  }
  /** Drops channels in training mode; returns x itself in eval mode. */
  forward(x: Tensor): Tensor {
    return dropout2dAs('Dropout2d', x, { p: this.p, training: this.training, generator: this.#generator });
  }
  override extraRepr(): string {
    return `p=${reprFloat(this.p)}, inplace=${reprBool(false)}`;
  }
}
