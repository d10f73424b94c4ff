// Command-line flags for the examples, declared once: parsing, checks and the --help text come from one table.

/** One flag: what it holds, its default and its line in --help. */
export type FlagSpec =
  | { kind: 'int'; default: number; min: number; help: string }
  | { kind: 'number'; default: number; min?: number; max?: number; help: string }
  | { kind: 'string'; default: string; help: string }
  | { kind: 'optionalString'; help: string }
  | { kind: 'choice'; choices: readonly string[]; default: string; help: string }
  | { kind: 'switch'; help: string };

type ValueOf<S extends FlagSpec> = S extends { kind: 'int' | 'number' }
  ? number
  : S extends { kind: 'switch' }
    ? boolean
    : S extends { kind: 'optionalString' }
      ? string | undefined
      : S extends { kind: 'choice'; choices: readonly (infer C)[] }
        ? C
        : string;

type CamelCase<S extends string> = S extends `${infer H}-${infer T}` ? `${H}${Capitalize<CamelCase<T>>}` : S;

/** The parsed flags: each kebab-case name as a camelCase key, plus `help`. */
export type Flags<T extends Record<string, FlagSpec>> = { [K in keyof T & string as CamelCase<K>]: ValueOf<T[K]> } & { help: boolean };

function camel(name: string): string {
  return name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** The --help text: a heading, then one aligned line per flag with its default. */
export function usageOf(heading: string, specs: Record<string, FlagSpec>): string {
  const rows = Object.entries(specs).map(([name, s]) => {
    const value = s.kind === 'switch' ? '' : s.kind === 'choice' ? ` ${s.choices.join('|')}` : s.kind === 'int' ? ' N' : s.kind === 'number' ? ' X' : ' VALUE';
    const def = s.kind === 'switch' || s.kind === 'optionalString' ? '' : ` (default ${s.default})`;
    return [`--${name}${value}`, `${s.help}${def}`] as const;
  });
  rows.push(['--help', 'this text']);
  const width = Math.max(...rows.map(([f]) => f.length)) + 3;
  return `${heading}\n\n${rows.map(([f, h]) => `  ${f.padEnd(width)}${h}`).join('\n')}`;
}

/**
 * Parses `argv` (without node and script) against `specs`; throws an Error with a user-facing message
 * on an unknown flag, a missing or malformed value, or a value out of range.
 * @example parseFlags(['--epochs', '3'], { epochs: { kind: 'int', default: 10, min: 1, help: 'passes' } }).epochs // 3
 */
export function parseFlags<T extends Record<string, FlagSpec>>(argv: readonly string[], specs: T): Flags<T> {
  const raw = new Map<string, string>();
  const out: Record<string, unknown> = { help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') continue;
    if (arg === '--help' || arg === '-h') {
      out.help = true;
      continue;
    }
    if (!arg.startsWith('--')) throw new Error(`unexpected argument '${arg}' (flags start with --)`);
    const [name, inline] = arg.slice(2).split('=', 2) as [string, string | undefined];
    const spec = specs[name];
    if (spec === undefined) throw new Error(`unknown flag '--${name}' (see --help)`);
    if (spec.kind === 'switch') {
      if (inline !== undefined) throw new Error(`flag '--${name}' takes no value`);
      raw.set(name, 'true');
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined || value.startsWith('--')) throw new Error(`flag '--${name}' needs a value`);
    if ((spec.kind === 'int' || spec.kind === 'number') && (value.trim() === '' || !Number.isFinite(Number(value)))) {
      throw new Error(`flag '--${name}' needs a number, got '${value}'`);
    }
    raw.set(name, value);
  }
  for (const [name, spec] of Object.entries(specs)) {
    const given = raw.get(name);
    let value: unknown;
    switch (spec.kind) {
      case 'int':
        value = given === undefined ? spec.default : Number(given);
        if (!Number.isInteger(value) || (value as number) < spec.min) throw new Error(`--${name} must be an integer >= ${spec.min}, got ${given}`);
        break;
      case 'number': {
        const v = given === undefined ? spec.default : Number(given);
        if ((spec.min !== undefined && !(v >= spec.min)) || (spec.max !== undefined && !(v <= spec.max))) {
          throw new Error(`--${name} must be in [${spec.min ?? '-inf'}, ${spec.max ?? 'inf'}], got ${given}`);
        }
        value = v;
        break;
      }
      case 'choice':
        value = given ?? spec.default;
        if (!spec.choices.includes(value as string)) throw new Error(`--${name} must be ${spec.choices.join(', ')}, got '${String(value)}'`);
        break;
      case 'switch':
        value = given !== undefined;
        break;
      case 'optionalString':
        value = given;
        break;
      case 'string':
        value = given ?? spec.default;
        break;
    }
    out[camel(name)] = value;
  }
  return out as Flags<T>;
}

/**
 * Runs an example's `main` with parsed flags: prints --help, or the error and the help text (exit 2)
 * on bad flags, or the error alone (exit 1) when the run fails.
 */
export function runMain<T extends Record<string, FlagSpec>>(name: string, heading: string, specs: T, main: (flags: Flags<T>) => unknown): void {
  let flags: Flags<T>;
  try {
    flags = parseFlags(process.argv.slice(2), specs);
  } catch (e) {
    console.error(`${name}: ${(e as Error).message}\n\n${usageOf(heading, specs)}`);
    process.exit(2);
  }
  if (flags.help) {
    console.log(usageOf(heading, specs));
    return;
  }
  try {
    main(flags);
  } catch (e) {
    console.error(`${name}: ${(e as Error).message}`);
    process.exit(1);
  }
}
