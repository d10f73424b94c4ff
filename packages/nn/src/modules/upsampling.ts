import type { Tensor } from '@dl/autograd';
import { Module } from '../module.js';
import { reprFloat, reprPair } from '../repr.js';
import { interpolateAs, interpolateSettings, type InterpolateOptions, type InterpolateSettings } from '../functional/interpolate.js';

/** Options of `Upsample`, as `interpolate`'s: exactly one of `size` and `scaleFactor`; mode 'nearest' by default. */
export type UpsampleOptions = InterpolateOptions;

/**
 * Resizes [N, C, H, W] inputs, as PyTorch's `nn.Upsample`: `F.interpolate` with fixed settings
 * (nearest or bilinear, to a `size` or by a `scaleFactor`). It has no parameters.
 * @example new Upsample({ scaleFactor: 2, mode: 'bilinear' }).forward(x) // [N, C, 14, 14] → [N, C, 28, 28]
 */
export class Upsample extends Module {
  /** The output's [H, W] as given (a number or a pair), or undefined when `scaleFactor` is used. */
  readonly size: InterpolateOptions['size'];
  /** The scale factor as given (a number or a pair), or undefined when `size` is used. */
  readonly scaleFactor: InterpolateOptions['scaleFactor'];
  readonly mode: NonNullable<InterpolateOptions['mode']>;
  readonly alignCorners: boolean | undefined;
  private readonly settings: InterpolateSettings;

  constructor(options: UpsampleOptions = {}) {
    super();
    this.settings = interpolateSettings('Upsample', options);
    this.size = options.size;
    this.scaleFactor = options.scaleFactor;
    this.mode = this.settings.mode;
    this.alignCorners = options.alignCorners;
  }

  /** x [N, C, H, W] → [N, C, H', W']. */
  forward(x: Tensor): Tensor {
    return interpolateAs('Upsample', x, this.settings);
  }

  override extraRepr(): string {
    const sf = this.scaleFactor;
    const info = sf === undefined ? `size=${reprPair(this.size!)}` : `scale_factor=${typeof sf === 'number' ? reprFloat(sf) : `(${reprFloat(sf[0])}, ${reprFloat(sf[1])})`}`;
    return `${info}, mode='${this.mode}'`;
  }
}
