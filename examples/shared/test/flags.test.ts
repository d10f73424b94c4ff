import { describe, expect, it } from 'vitest';
import { parseFlags, usageOf } from '../flags.js';

const SPECS = {
  epochs: { kind: 'int', default: 4, min: 1, help: 'passes' },
  lr: { kind: 'number', default: 0.1, min: 1e-9, help: 'step size' },
  p: { kind: 'number', default: 0.5, min: 0, max: 1, help: 'probability' },
  model: { kind: 'choice', choices: ['lstm', 'gru'], default: 'lstm', help: 'layer' },
  manual: { kind: 'switch', help: 'by hand' },
  'batch-size': { kind: 'int', default: 32, min: 1, help: 'samples' },
  resume: { kind: 'optionalString', help: 'weights' },
  out: { kind: 'string', default: 'out', help: 'folder' },
} as const;

describe('examples/shared flags', () => {
  it('fills defaults and camel-cases kebab names', () => {
    const f = parseFlags([], SPECS);
    expect(f).toEqual({ help: false, epochs: 4, lr: 0.1, p: 0.5, model: 'lstm', manual: false, batchSize: 32, resume: undefined, out: 'out' });
  });

  it('reads values, inline values and switches', () => {
    const f = parseFlags(['--epochs', '2', '--batch-size=8', '--model', 'gru', '--manual', '--resume', 'w.safetensors', '--', '--help'], SPECS);
    expect(f.epochs).toBe(2);
    expect(f.batchSize).toBe(8);
    expect(f.model).toBe('gru');
    expect(f.manual).toBe(true);
    expect(f.resume).toBe('w.safetensors');
    expect(f.help).toBe(true);
  });

  it('rejects unknown flags, missing and malformed values, and values out of range', () => {
    expect(() => parseFlags(['--bogus', '1'], SPECS)).toThrow(/^unknown flag '--bogus' \(see --help\)$/);
    expect(() => parseFlags(['--epochs'], SPECS)).toThrow(/^flag '--epochs' needs a value$/);
    expect(() => parseFlags(['--lr', 'fast'], SPECS)).toThrow(/^flag '--lr' needs a number, got 'fast'$/);
    expect(() => parseFlags(['--lr', ''], SPECS)).toThrow(/needs a number/);
    expect(() => parseFlags(['--epochs', '0'], SPECS)).toThrow(/^--epochs must be an integer >= 1, got 0$/);
    expect(() => parseFlags(['--epochs', '2.5'], SPECS)).toThrow(/--epochs must be an integer/);
    expect(() => parseFlags(['--p', '1.5'], SPECS)).toThrow(/^--p must be in \[0, 1\], got 1.5$/);
    expect(() => parseFlags(['--lr', '0'], SPECS)).toThrow(/--lr must be in/);
    expect(() => parseFlags(['--model', 'rnn'], SPECS)).toThrow(/^--model must be lstm, gru, got 'rnn'$/);
    expect(() => parseFlags(['--manual=yes'], SPECS)).toThrow(/flag '--manual' takes no value/);
    expect(() => parseFlags(['stray'], SPECS)).toThrow(/^unexpected argument 'stray'/);
  });

  it('lists every flag with its default in the help text', () => {
    const help = usageOf('Usage: x', SPECS);
    expect(help.startsWith('Usage: x\n\n')).toBe(true);
    for (const name of Object.keys(SPECS)) expect(help).toContain(`--${name}`);
    expect(help).toMatch(/--epochs N\s+passes \(default 4\)/);
    expect(help).toMatch(/--model lstm\|gru\s+layer \(default lstm\)/);
    expect(help).toMatch(/--help\s+this text/);
  });
});
