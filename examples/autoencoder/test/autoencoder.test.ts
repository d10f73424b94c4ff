import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PNG } from 'pngjs';
import { Generator, randn, tensor } from '@dl/autograd';
import { parseFlags } from '../../shared/flags.js';
import { grayGridPng } from '../../shared/png.js';
import { expectWellFormedSvg } from '../../shared/test/svg.js';
import { FLAGS } from '../main.js';
import { ConvAutoencoder, GanDiscriminator, GanGenerator, VAE, klDivergence } from '../models.js';
import { run } from '../train.js';

describe('examples/autoencoder models', () => {
  it('map digits to codes and back with the right shapes', () => {
    const x = randn([3, 1, 28, 28], { generator: new Generator(0) });
    const ae = new ConvAutoencoder(5, new Generator(1));
    expect(ae.encode(x).shape).toEqual([3, 5]);
    expect(ae.forward(x).shape).toEqual([3, 1, 28, 28]);
    const vae = new VAE(2, 16, new Generator(2));
    const out = vae.forward(x);
    expect(out.logits.shape).toEqual([3, 1, 28, 28]);
    expect(out.mu.shape).toEqual([3, 2]);
    vae.eval();
    expect(Array.from(vae.forward(x).logits.data)).toEqual(Array.from(vae.decode(vae.encode(x).mu).data));
    expect(new GanGenerator(8, 16).forward(randn([4, 8])).shape).toEqual([4, 1, 28, 28]);
    expect(new GanDiscriminator(16).forward(x).shape).toEqual([3, 1]);
  });

  it('computes the Gaussian KL divergence in closed form', () => {
    // KL(N(mu, s²) ‖ N(0, 1)) = ½(mu² + s² − 1 − log s²) per dimension
    const mu = tensor([[0.5, -1]], { dtype: 'float64' });
    const logVar = tensor([[Math.log(2), 0]], { dtype: 'float64' });
    const expected = 0.5 * (0.25 + 2 - 1 - Math.log(2)) + 0.5 * (1 + 1 - 1 - 0);
    expect(klDivergence(mu, logVar).item()).toBeCloseTo(expected, 12);
    expect(Math.abs(klDivergence(tensor([[0, 0]]), tensor([[0, 0]])).item())).toBe(0);
  });

  it('writes PNG grids that decode to the right size and ink', () => {
    const pixels = new Float32Array(2 * 4).fill(0);
    pixels[0] = 1;
    const png = PNG.sync.read(grayGridPng(pixels, 2, 2, 2, { columns: 2, scale: 1, gap: 1 }));
    expect([png.width, png.height]).toEqual([1 + 2 * 3, 1 + 3]);
    expect(png.data[4 * (1 * png.width + 1)]).toBe(0);
    expect(png.data[4 * (1 * png.width + 2)]).toBe(255);
    expect(() => grayGridPng(pixels, 3, 2, 2, { columns: 2 })).toThrow(/cannot hold 3 images of 2x2/);
  });

  it('trains each model for a few batches and writes its pictures', () => {
    const out = mkdtempSync(join(tmpdir(), 'dl-ae-'));
    const f = parseFlags(['--epochs', '1', '--limit-batches', '2', '--batch-size', '16', '--train-size', '64', '--test-size', '32', '--latent', '2', '--hidden', '16', '--out', out], FLAGS);
    const lines: string[] = [];
    const reports = run({ ...f, models: ['conv', 'vae', 'gan'], limitBatches: 2 }, (l) => lines.push(l));
    expect(reports.map((r) => r.model)).toEqual(['conv', 'vae', 'gan']);
    expect(reports[0]!.testReconstruction).toBeGreaterThan(0);
    expect(reports[1]!.testElbo).toBeLessThan(0);
    expect(lines.some((l) => /^vae epoch 1: train ELBO -\d+\.\d+, test ELBO -\d+\.\d+ nats\/image \(reconstruction \d+\.\d+, KL \d+\.\d+\)$/.test(l))).toBe(true);
    for (const name of ['conv-reconstructions.png', 'vae-reconstructions.png', 'vae-samples.png', 'gan-samples-epoch-01.png']) {
      const png = PNG.sync.read(readFileSync(join(out, name)));
      expect(png.width).toBeGreaterThan(28);
    }
    const recon = PNG.sync.read(readFileSync(join(out, 'conv-reconstructions.png')));
    expect([recon.width, recon.height]).toEqual([2 + 16 * 58, 2 + 2 * 58]);
    expect(expectWellFormedSvg(readFileSync(join(out, 'vae-latent.svg'), 'utf8')).filter((n) => n === 'circle')).toHaveLength(32);
    expectWellFormedSvg(readFileSync(join(out, 'vae-elbo.svg'), 'utf8'));
    expect(existsSync(join(out, 'gan-losses.svg'))).toBe(true);
  });
});
