import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Tensor, tensor } from '@dl/autograd';
import { Adam } from '@dl/optim';
import { deserialize, deserializeState, flattenState, serialize, serializeState, STATE_KEY, unflattenState } from '@dl/io';

/** An optimizer state dict shaped like PyTorch's (and @dl/optim's): per-parameter state by index, and the groups. */
function adamLikeState() {
  return {
    state: {
      0: { step: 3, expAvg: Float32Array.from([0.1, -0.2, 0.3]), expAvgSq: Float32Array.from([0.01, 0.04, 0.09]) },
      1: { step: 3, expAvg: new Float64Array([1e-300, -0]), expAvgSq: new Float64Array([Number.MIN_VALUE, 2]), maxExpAvgSq: tensor([[1, 2]]) },
    },
    paramGroups: [
      { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false, params: [0, 1], initialLr: 1e-3 },
      { lr: Infinity, betas: [0, Number.NaN], eps: -0, name: 'head', foreach: null, params: [] as number[], extra: undefined },
    ],
  };
}

describe('serializeState / deserializeState', () => {
  it('round-trips an optimizer-shaped state: numbers exactly, typed arrays with their type, tensors as tensors', () => {
    const state = adamLikeState();
    const back = deserializeState<ReturnType<typeof adamLikeState>>(serializeState(state));
    expect(back).toEqual(state);
    const s0 = back.state[0];
    expect(s0.expAvg).toBeInstanceOf(Float32Array);
    expect(back.state[1].expAvg).toBeInstanceOf(Float64Array);
    expect(Object.is(back.state[1].expAvg[1], -0)).toBe(true);
    expect(back.state[1].maxExpAvgSq).toBeInstanceOf(Tensor);
    expect(back.state[1].maxExpAvgSq.shape).toEqual([1, 2]);
    expect(back.paramGroups[1]!.lr).toBe(Infinity);
    expect(Number.isNaN(back.paramGroups[1]!.betas[1])).toBe(true);
    expect(Object.is(back.paramGroups[1]!.eps, -0)).toBe(true);
    expect('extra' in back.paramGroups[1]!).toBe(true);
  });

  it('stores a safetensors file any reader opens: tensors by dotted path, the rest as JSON metadata', () => {
    const bytes = serializeState(adamLikeState(), { metadata: { note: 'epoch 3' } });
    const { tensors, metadata } = deserialize(bytes);
    expect(Object.keys(tensors).sort()).toEqual(['state.0.expAvg', 'state.0.expAvgSq', 'state.1.expAvg', 'state.1.expAvgSq', 'state.1.maxExpAvgSq']);
    expect(tensors['state.0.expAvg']!.dtype).toBe('float32');
    expect(tensors['state.1.expAvg']!.dtype).toBe('float64');
    expect(metadata['note']).toBe('epoch 3');
    const structure = JSON.parse(metadata[STATE_KEY]!) as { state: Record<string, Record<string, unknown>> };
    expect(structure.state['0']!['step']).toBe(3);
    expect(structure.state['0']!['expAvg']).toEqual({ $typed: 'state.0.expAvg' });
  });

  it('restores an Adam optimizer so that it continues exactly as the original', () => {
    const make = () => [tensor([[0.5, -1], [2, 0.25]], { requiresGrad: true }), tensor([0.1, 0.2], { requiresGrad: true })];
    const lossStep = (params: Tensor[], opt: Adam) => {
      opt.zeroGrad();
      params[0]!.mul(params[0]!).sum().add(params[1]!.matmul(params[0]!).sum()).backward();
      opt.step();
    };
    const a = make();
    const optA = new Adam(a, { lr: 0.05 });
    for (let i = 0; i < 3; i++) lossStep(a, optA);

    const b = a.map((p) => new Tensor(p.data.slice(), p.shape, { requiresGrad: true }));
    const optB = new Adam(b, { lr: 0.5 });
    optB.loadStateDict(deserializeState(serializeState(optA.stateDict())));
    for (let i = 0; i < 3; i++) {
      lossStep(a, optA);
      lossStep(b, optB);
    }
    expect(b.map((p) => Array.from(p.data))).toEqual(a.map((p) => Array.from(p.data)));
    expect(optB.paramGroups[0]!.lr).toBe(0.05);
  });

  it('keeps Maps, and objects whose keys look like its tags', () => {
    const state = { m: new Map<unknown, unknown>([[1, 'one'], ['t', tensor([1])]]), odd: { $tensor: 'not a ref' }, list: [undefined, null, [Float32Array.from([1])]] };
    expect(deserializeState(serializeState(state))).toEqual(state);
  });

  it('round-trips random nested states', () => {
    const leaf = fc.oneof(
      fc.double(),
      fc.string(),
      fc.boolean(),
      fc.constant(null),
      fc.constant(undefined),
      fc.array(fc.double({ noNaN: true }), { maxLength: 4 }).map((v) => Float32Array.from(v)),
      fc.array(fc.double(), { maxLength: 4 }).map((v) => Float64Array.from(v)),
      fc.array(fc.double({ noNaN: true }), { minLength: 1, maxLength: 4 }).map((v) => tensor(v, { dtype: 'float64' })),
    );
    const { tree } = fc.letrec((tie) => ({
      tree: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('array'), tie('object')),
      array: fc.array(tie('tree'), { maxLength: 3 }),
      object: fc.dictionary(fc.string({ maxLength: 6 }), tie('tree'), { maxKeys: 3 }),
    }));
    fc.assert(
      fc.property(tree, (state) => {
        expect(deserializeState(serializeState(state))).toEqual(state);
      }),
      { numRuns: 50 },
    );
  });

  it('gives each tensor a unique name even when paths collide', () => {
    const { tensors, structure } = flattenState({ 'a.b': tensor([1]), a: { b: tensor([2]) } });
    expect(Object.keys(tensors).sort()).toEqual(['a.b', 'a.b#1']);
    const back = unflattenState(tensors, structure) as { 'a.b': Tensor; a: { b: Tensor } };
    expect(back['a.b'].item()).toBe(1);
    expect(back.a.b.item()).toBe(2);
  });
});

describe('state errors', () => {
  it('rejects what it cannot store, naming where it is', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic['self'] = cyclic;
    expect(() => serializeState(cyclic)).toThrow(/serializeState: the state contains itself at 'self'/);
    expect(() => serializeState({ f: () => 1 })).toThrow(/serializeState: cannot save a function at 'f'/);
    expect(() => serializeState({ d: { when: new Date(0) } })).toThrow(/serializeState: cannot save a Date at 'd.when'/);
    expect(() => serializeState({ i: new Int32Array(2) })).toThrow(/cannot save a Int32Array at 'i'/);
    expect(() => serializeState({}, { metadata: { [STATE_KEY]: 'x' } })).toThrow(/serializeState: the metadata key 'dl.state' is reserved/);
  });

  it('refuses files that are not saved states, or whose structure and tensors disagree', () => {
    expect(() => deserializeState(serialize({ w: tensor([1]) }))).toThrow(/deserializeState: no 'dl.state' metadata: this file holds plain tensors/);
    const missing = serialize({}, { metadata: { [STATE_KEY]: '{"w":{"$tensor":"w"}}' } });
    expect(() => deserializeState(missing)).toThrow(/deserializeState: unflattenState: the structure refers to a tensor "w" that is not in the file/);
    const extra = serialize({ w: tensor([1]) }, { metadata: { [STATE_KEY]: '{}' } });
    expect(() => deserializeState(extra)).toThrow(/the file has tensors the structure does not mention: 'w'/);
    const broken = serialize({}, { metadata: { [STATE_KEY]: '{"a":' } });
    expect(() => deserializeState(broken)).toThrow(/the structure is not valid JSON/);
    const badTag = serialize({}, { metadata: { [STATE_KEY]: '{"a":{"$weird":1}}' } });
    expect(() => deserializeState(badTag)).toThrow(/unknown tag \$weird/);
  });
});
