// Every built-in layer's `forward` is a public entry point: its input is checked to be a tensor, and an
// error inside (from an op it runs) names the layer, as `api` does for functions. Containers are left
// alone: the modules they call may be the user's own, whose errors pass through untouched.
import { Tensor, checks as C } from '@dl/autograd';
import { Module } from './module.js';
import * as activationLayers from './modules/activation.js';
import * as adaptivePoolLayers from './modules/adaptivePool.js';
import * as attentionLayers from './modules/attention.js';
import * as conv1dLayers from './modules/conv1d.js';
import * as convTwodLayers from './modules/conv2d.js';
import * as convTransposeTwodLayers from './modules/convTranspose2d.js';
import * as embeddingLayers from './modules/embedding.js';
import * as linearLayers from './modules/linear.js';
import * as lossLayers from './modules/loss.js';
import * as modelsLayers from './modules/models.js';
import * as normalizationLayers from './modules/normalization.js';
import * as poolingLayers from './modules/pooling.js';
import * as recurrentLayers from './modules/recurrent.js';
import * as rnnCellLayers from './modules/rnnCell.js';
import * as shapeLayers from './modules/shape.js';
import * as transformerLayers from './modules/transformer.js';
import * as upsamplingLayers from './modules/upsampling.js';

const containers = new Set(['Sequential', 'ModuleList', 'ModuleDict']);

const layers = Object.assign({}, activationLayers, adaptivePoolLayers, attentionLayers, conv1dLayers, convTwodLayers, convTransposeTwodLayers, embeddingLayers, linearLayers, lossLayers, modelsLayers, normalizationLayers, poolingLayers, recurrentLayers, rnnCellLayers, shapeLayers, transformerLayers, upsamplingLayers) as Record<string, unknown>;

for (const [name, cls] of Object.entries(layers)) {
  if (typeof cls !== 'function' || !((cls as { prototype: unknown }).prototype instanceof Module) || containers.has(name)) continue;
  const proto = (cls as { prototype: object }).prototype as { forward?: (...args: unknown[]) => unknown };
  if (!Object.prototype.hasOwnProperty.call(proto, 'forward') || typeof proto.forward !== 'function') continue;
  const forward = proto.forward;
  Object.defineProperty(proto, 'forward', {
    configurable: true, writable: true,
    value: function (this: Module, ...args: unknown[]): unknown {
      const called = (this.constructor as { name?: string }).name || name;
      return C.guard(called, () => {
        if (!(args[0] instanceof Tensor)) {
          throw new C.DlError(called, `input must be a Tensor, got ${C.describe(args[0])}`, { arg: 'input', hint: 'make one with tensor(values)' });
        }
        return forward.apply(this, args);
      });
    },
  });
}
