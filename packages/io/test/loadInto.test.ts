import { describe, expect, it } from 'vitest';
import { tensor, zeros } from '@dl/autograd';
import { loadInto, serialize } from '@dl/io';

const model = () => ({ 'fc.weight': zeros([2, 3]), 'fc.bias': zeros([2]) });
const saved = () => ({ 'fc.weight': tensor([[1, 2, 3], [4, 5, 6]], { dtype: 'float64' }), 'fc.bias': tensor([7, 8]) });

describe('loadInto', () => {
  it('copies values from bytes or a state dict into the target tensors, converting dtype', () => {
    for (const source of [serialize(saved()), saved()]) {
      const target = model();
      const { 'fc.weight': w } = target;
      expect(loadInto(target, source)).toEqual({ missingKeys: [], unexpectedKeys: [] });
      expect(target['fc.weight']).toBe(w);
      expect(w.dtype).toBe('float32');
      expect(w.toArray()).toEqual([[1, 2, 3], [4, 5, 6]]);
      expect(target['fc.bias'].toArray()).toEqual([7, 8]);
    }
  });

  it('names every wrong shape with the key and both shapes, and writes nothing', () => {
    const target = { ...model(), extra: zeros([1]) };
    const source = { 'fc.weight': zeros([3, 2]), 'fc.bias': tensor([1, 1]), unused: zeros([4]) };
    let message = '';
    try {
      loadInto(target, serialize(source));
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/^loadInto: nothing was loaded:/);
    expect(message).toMatch(/size mismatch for 'fc\.weight': the source has shape \[3,2\], the target has shape \[2,3\]/);
    expect(message).toMatch(/missing from the source: 'extra'/);
    expect(message).toMatch(/not in the target: 'unused'/);
    expect(target['fc.bias'].toArray()).toEqual([0, 0]);
  });

  it('reports missing and unexpected keys instead of failing when not strict', () => {
    const target = { ...model(), extra: zeros([1]) };
    const result = loadInto(target, { ...saved(), unused: zeros([4]) }, { strict: false });
    expect(result).toEqual({ missingKeys: ['extra'], unexpectedKeys: ['unused'] });
    expect(target['fc.bias'].toArray()).toEqual([7, 8]);
    // Shapes are always checked.
    expect(() => loadInto(model(), { 'fc.bias': zeros([3]) }, { strict: false })).toThrow(/size mismatch for 'fc\.bias': the source has shape \[3\], the target has shape \[2\]/);
  });
});
