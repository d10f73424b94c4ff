import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  Generator, arange, eye, full, fullLike, linspace, manualSeed, ones, onesLike, rand, randint, randLike, randn, randnLike, tensor,
  zeros, zerosLike, type DType,
} from '@dl/autograd';

interface Case {
  fn: 'arange' | 'linspace' | 'eye';
  args: number[];
  options: { step?: number };
  dtype: DType;
  shape: number[];
  values: number[];
}
const fixture = JSON.parse(readFileSync(new URL('./fixtures/creation.json', import.meta.url), 'utf8')) as { cases: Case[] };

describe('tensor()', () => {
  it('reads nested arrays into a shape', () => {
    const t = tensor([[[1, 2, 3]], [[4, 5, 6]]]);
    expect(t.shape).toEqual([2, 1, 3]);
    expect(t.dtype).toBe('float32');
    expect(Array.from(t.data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(tensor(5).shape).toEqual([]);
    expect(tensor(5).item()).toBe(5);
    expect(tensor([]).shape).toEqual([0]);
    expect(tensor([[], []]).shape).toEqual([2, 0]);
  });

  it('copies typed arrays, keeping float64 as float64', () => {
    const src = new Float64Array([1.5, 2.5]);
    const t = tensor(src);
    expect(t.dtype).toBe('float64');
    src[0] = 99;
    expect(t.data[0]).toBe(1.5);
    expect(tensor(new Float32Array([1, 2])).dtype).toBe('float32');
    expect(tensor(new Float64Array([0.1]), { dtype: 'float32' }).data[0]).toBe(Math.fround(0.1));
  });

  it('takes a shape option for flat values, and the dtype and requiresGrad options', () => {
    const t = tensor([1, 2, 3, 4, 5, 6], { shape: [2, 3], dtype: 'float64', requiresGrad: true });
    expect(t.shape).toEqual([2, 3]);
    expect(t.toArray()).toEqual([[1, 2, 3], [4, 5, 6]]);
    expect(t.dtype).toBe('float64');
    expect(t.requiresGrad).toBe(true);
    expect(tensor(new Float32Array(4), { shape: [2, 2] }).shape).toEqual([2, 2]);
    expect(tensor([7], { shape: [] }).shape).toEqual([]);
  });

  it('keeps NaN and infinities', () => {
    const t = tensor([NaN, Infinity, -Infinity]);
    expect(Number.isNaN(t.data[0])).toBe(true);
    expect(t.data[1]).toBe(Infinity);
  });

  it('rejects ragged arrays, naming where', () => {
    expect(() => tensor([[1, 2], [3]])).toThrow(/tensor: ragged nested array at values\[1\]: expected 2 elements like the first row/);
    expect(() => tensor([[1, 2], 3] as never)).toThrow(/tensor: ragged nested array at values\[1\]/);
    expect(() => tensor([1, [2]] as never)).toThrow(/tensor: ragged nested array at values\[1\]: expected a number/);
    expect(() => tensor([[[1], [2]], [[3], [4, 5]]])).toThrow(/values\[1\]\[1\]/);
  });

  it('rejects a shape that does not fit, bad sizes, non-numbers and unknown dtypes', () => {
    expect(() => tensor([1, 2, 3], { shape: [2, 2] })).toThrow(/tensor: shape \[2,2\] needs 4 values but got 3/);
    expect(() => tensor([1, 2], { shape: [2.5] })).toThrow(/tensor: invalid shape \[2.5\]: sizes must be non-negative integers/);
    expect(() => tensor(['a', 2] as never)).toThrow(/tensor: values\[0\] is string, not a number or a boolean/);
    expect(() => tensor(new Float32Array(2), { shape: [3] })).toThrow(/tensor: shape \[3\] needs 3 values but got 2/);
    expect(() => tensor([1], { dtype: 'int16' as DType })).toThrow(/tensor: unsupported dtype 'int16' \(expected 'float32', 'float64', 'int32' or 'bool'\)/);
    expect(() => tensor([1], { dtype: 'int64' as DType })).toThrow(/use 'int32' \(dl has no int64/);
  });
});

describe('filled factories', () => {
  it('zeros, ones, full and their *Like forms', () => {
    expect(Array.from(zeros([2, 2]).data)).toEqual([0, 0, 0, 0]);
    expect(ones([3], { dtype: 'float64' }).dtype).toBe('float64');
    expect(Array.from(ones([3]).data)).toEqual([1, 1, 1]);
    const f = full([2, 1], -2.5, { requiresGrad: true });
    expect(f.shape).toEqual([2, 1]);
    expect(Array.from(f.data)).toEqual([-2.5, -2.5]);
    expect(f.requiresGrad).toBe(true);
    expect(zeros([]).shape).toEqual([]);
    expect(zeros([]).numel()).toBe(1);
    expect(zeros([3, 0]).numel()).toBe(0);
    const x = tensor([[1, 2, 3]], { dtype: 'float64', requiresGrad: true });
    for (const [like, value] of [[zerosLike(x), 0], [onesLike(x), 1], [fullLike(x, 7), 7]] as const) {
      expect(like.shape).toEqual([1, 3]);
      expect(like.dtype).toBe('float64');
      expect(like.requiresGrad).toBe(false); // not inherited, as in PyTorch
      expect(Array.from(like.data)).toEqual([value, value, value]);
    }
    expect(zerosLike(x, { dtype: 'float32' }).dtype).toBe('float32');
  });

  it('reject non-integer, negative and non-finite sizes, naming the factory', () => {
    expect(() => zeros([2.5])).toThrow(/^zeros: invalid shape \[2.5\]: sizes must be non-negative integers/);
    expect(() => ones([2, -1])).toThrow(/^ones: invalid shape \[2,-1\]/);
    expect(() => full([NaN], 1)).toThrow(/^full: invalid shape \[NaN\]/);
    expect(() => rand([Infinity])).toThrow(/^rand: invalid shape \[Infinity\]/);
    expect(() => randn([1.5])).toThrow(/^randn: invalid shape \[1.5\]/);
    expect(() => randint(0, 3, [0.5])).toThrow(/^randint: invalid shape \[0.5\]/);
    expect(() => eye(2.5)).toThrow(/^eye: invalid shape \[2.5,2.5\]/);
    expect(() => eye(2, -3)).toThrow(/^eye: invalid shape \[2,-3\]/);
    expect(() => zeros([2], { dtype: 'float16' as DType })).toThrow(/^zeros: unsupported dtype 'float16'/);
  });
});

// Values are computed in double as start + i·step (linspace: from the nearer end), rounded once to the
// dtype. PyTorch's SIMD kernels round differently in the last bits, so compare within a few ulps of the range.
const ulps = (c: Case) => {
  const scale = Math.max(1, ...c.args.map(Math.abs), Math.abs(c.options.step ?? 0));
  return 4 * (c.dtype === 'float32' ? 2 ** -23 : 2 ** -52) * scale;
};

describe('arange, linspace and eye match PyTorch', () => {
  it.each(fixture.cases.map((c) => [`${c.fn}(${c.args.join(', ')}${c.options.step !== undefined ? `, step ${c.options.step}` : ''}) ${c.dtype}`, c] as const))(
    '%s',
    (_name, c) => {
      const options = { ...c.options, dtype: c.dtype };
      const t =
        c.fn === 'arange'
          ? c.args.length === 1 ? arange(c.args[0]!, undefined, options) : arange(c.args[0]!, c.args[1]!, options)
          : c.fn === 'linspace'
            ? linspace(c.args[0]!, c.args[1]!, c.args[2]!, options)
            : eye(c.args[0]!, c.args[1], options);
      expect(t.shape).toEqual(c.shape);
      expect(t.dtype).toBe(c.dtype);
      Array.from(t.data).forEach((v, i) => expect(Math.abs(v - c.values[i]!)).toBeLessThanOrEqual(ulps(c)));
    },
  );

  it('linspace is exact at both ends and symmetric', () => {
    const t = linspace(-1, 1, 9, { dtype: 'float64' });
    expect(t.data[0]).toBe(-1);
    expect(t.data[8]).toBe(1);
    for (let i = 0; i < 9; i++) expect(t.data[i]).toBe(0 - t.data[8 - i]!);
    expect(Array.from(linspace(2, 5, 1).data)).toEqual([2]);
  });

  it('errors name the factory and the bad values', () => {
    expect(() => arange(0, 5, { step: 0 })).toThrow(/arange: start 0, end 5 and step 0 must be finite, with a non-zero step/);
    expect(() => arange(0, 5, { step: -1 })).toThrow(/arange: step -1 goes away from end 5 \(start 0\)/);
    expect(() => arange(Infinity)).toThrow(/arange: .*must be finite/);
    expect(() => linspace(0, 1, 2.5)).toThrow(/linspace: steps must be a non-negative integer, got 2.5/);
    expect(() => linspace(0, NaN, 3)).toThrow(/linspace: start 0 and end NaN must be finite/);
  });
});

describe('random factories', () => {
  it('manualSeed makes every random factory repeat', () => {
    const draw = () => [rand([3]), randn([2, 2], { dtype: 'float64' }), randint(0, 100, [4]), randnLike(zeros([3])), randLike(zeros([2]))].map((t) => Array.from(t.data));
    manualSeed(1234);
    const a = draw();
    manualSeed(1234);
    expect(draw()).toEqual(a);
    manualSeed(1235);
    expect(draw()).not.toEqual(a);
  });

  it('a generator option draws from that generator and leaves the default one alone', () => {
    manualSeed(7);
    const expected = Array.from(randn([5]).data);
    manualSeed(7);
    const g1 = new Generator(99);
    const g2 = new Generator(99);
    expect(Array.from(rand([4], { generator: g1 }).data)).toEqual(Array.from(rand([4], { generator: g2 }).data));
    expect(Array.from(randn([5]).data)).toEqual(expected);
  });

  it('float32 draws are the float64 draws rounded', () => {
    const a = randn([50], { generator: new Generator(3), dtype: 'float64' });
    const b = randn([50], { generator: new Generator(3), dtype: 'float32' });
    expect(Array.from(b.data)).toEqual(Array.from(a.data, (v) => Math.fround(v)));
  });

  it('shapes, dtypes and requiresGrad options', () => {
    const r = randn([2, 3], { dtype: 'float64', requiresGrad: true });
    expect(r.shape).toEqual([2, 3]);
    expect(r.dtype).toBe('float64');
    expect(r.requiresGrad).toBe(true);
    const like = randnLike(r);
    expect(like.shape).toEqual([2, 3]);
    expect(like.dtype).toBe('float64');
    expect(like.requiresGrad).toBe(false);
    expect(rand([]).shape).toEqual([]);
  });

  it('rand stays below 1 in float32 even when the double draw rounds up to 1', () => {
    class NearOne extends Generator {
      override uniform(): number {
        return 1 - 2 ** -30;
      }
    }
    const t = rand([3], { generator: new NearOne(0) });
    expect(Array.from(t.data).every((v) => v < 1 && v > 0.99)).toBe(true);
  });

  it('randint draws integers in [low, high) and rejects bad bounds', () => {
    const t = randint(-3, 4, [2000], { generator: new Generator(5) });
    const counts = new Map<number, number>();
    for (const v of t.data) {
      expect(Number.isInteger(v)).toBe(true);
      counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    expect([...counts.keys()].sort((a, b) => a - b)).toEqual([-3, -2, -1, 0, 1, 2, 3]);
    for (const c of counts.values()) expect(Math.abs(c - 2000 / 7)).toBeLessThan(5 * Math.sqrt((2000 / 7) * (6 / 7)));
    expect(() => randint(3, 3, [2])).toThrow(/randint: expects integers low < high, got low 3 and high 3/);
    expect(() => randint(0, 2.5, [2])).toThrow(/randint: expects integers low < high, got low 0 and high 2.5/);
  });
});
