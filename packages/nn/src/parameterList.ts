import { DlError } from '@dl/autograd';
import { Module, Parameter, slotsOf, type Slot } from './module.js';

function checkParameter(p: unknown, where: string): Parameter {
  if (!(p instanceof Parameter)) {
    throw new DlError(`ParameterList: ${where} is not a Parameter (got ${p === null ? 'null' : typeof p}); wrap tensors in new Parameter(...)`);
  }
  return p;
}

/** Python's name of a dtype, for PyTorch's one-line parameter summaries. */
const torchDType = (p: Parameter) => `torch.${p.dtype}`;

/**
 * Parameters in order, registered under their positions `0`, `1`, ..., as PyTorch's `nn.ParameterList`:
 * an optimizer finds them through the owning module, and the state dict names them `list.0`.
 * Index it as `list.at(i)` or `list[i]`, iterate it with `for...of`.
 * @example
 * class Mix extends Module {
 *   weights = new ParameterList([new Parameter(ones([3])), new Parameter(ones([3]))]);
 *   forward(x: Tensor) { return [...this.weights].reduce((y, w) => y.mul(w), x); }
 * }
 */
export class ParameterList extends Module {
  readonly [index: number]: Parameter;
  #items: Parameter[] = [];

  constructor(parameters: Iterable<Parameter> = []) {
    super();
    this.extend(parameters);
  }

  #sync(previous: number): void {
    for (let i = this.#items.length; i < previous; i++) delete (this as Record<number, unknown>)[i];
    this.#items.forEach((p, i) => Object.defineProperty(this, i, { value: p, enumerable: false, configurable: true, writable: false }));
  }

  /** The number of parameters. */
  get length(): number {
    return this.#items.length;
  }
  /** The parameter at position i (negative counts from the end). */
  at(i: number): Parameter {
    const p = this.#items.at(i);
    if (p === undefined) throw new DlError(`ParameterList: index ${i} is out of range for ${this.#items.length} parameters`);
    return p;
  }
  /** Iterates over the parameters in order. */
  [Symbol.iterator](): Iterator<Parameter> {
    return this.#items[Symbol.iterator]();
  }
  /** Adds a parameter at the end. */
  append(p: Parameter): this {
    this.#items.push(checkParameter(p, `item ${this.#items.length}`));
    this.#sync(this.#items.length - 1);
    return this;
  }
  /** Adds parameters at the end. */
  extend(parameters: Iterable<Parameter>): this {
    for (const p of parameters) this.append(p);
    return this;
  }

  override *[slotsOf](): Generator<Slot> {
    for (let i = 0; i < this.#items.length; i++) {
      const index = i;
      yield {
        name: String(i),
        value: this.#items[i]!,
        set: (v) => {
          this.#items[index] = checkParameter(v, `item ${index}`);
          this.#sync(this.#items.length);
        },
      };
    }
    yield* super[slotsOf]();
  }

  /** A ParameterList has no forward of its own, as in PyTorch. */
  forward(): never {
    throw new DlError("ParameterList: has no forward; use its parameters in your module's forward");
  }

  /** One line per parameter, as PyTorch prints them: `(0): Parameter containing: [torch.float32 of size 3x4]`. */
  override extraRepr(): string {
    return this.#items.map((p, i) => `  (${i}): Parameter containing: [${torchDType(p)} of size ${p.shape.join('x')}]`).join('\n');
  }
}
