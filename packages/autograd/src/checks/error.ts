/** Extra facts an error may carry: the offending argument, a hint, the error it replaces. */
export interface DlErrorDetails {
  /** The name of the argument that was wrong (`dim`, `options.lr`, `tensors[1]`). */
  arg?: string;
  /** What to do instead, appended to the message. */
  hint?: string;
  /** The error this one reports (an internal failure, or the same failure inside another op). */
  cause?: unknown;
}

/**
 * The one error type of every `@dl` package: `fn` is the function or constructor the user called,
 * `arg` the offending argument when one is to blame, `hint` what to do instead. The message starts
 * with the function's name: `matmul: shapes [2,3] and [4,5] cannot be multiplied`.
 * @example
 * try { x.transpose(0, '1' as never); } catch (e) { if (e instanceof DlError) console.log(e.fn, e.arg); }
 */
export class DlError extends Error {
  /** The function or constructor the user called (`sum`, `Linear`, `Adam.step`). */
  readonly fn: string;
  /** The message without the function's name. */
  readonly detail: string;
  /** The argument that was wrong, if one is to blame. */
  readonly arg: string | undefined;
  /** What to do instead, if there is a hint. */
  readonly hint: string | undefined;

  /** `new DlError('sum', 'dim 3 is out of range', { arg: 'dim' })`, or `new DlError('sum: dim 3 is out of range')`. */
  constructor(fn: string, detail?: string | DlErrorDetails, details?: DlErrorDetails) {
    if (typeof detail !== 'string') {
      // One string: "fn: detail", as the messages thrown before DlError existed.
      details = detail;
      const m = /^([A-Za-z_$][\w$.]*(?:\(\))?): ([\s\S]*)$/.exec(fn);
      detail = m === null ? fn : m[2]!;
      fn = m === null ? 'dl' : m[1]!;
    }
    const hint = details?.hint;
    super(`${fn}: ${detail}${hint === undefined ? '' : ` (${hint})`}`, details?.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'DlError';
    this.fn = fn;
    this.detail = detail;
    this.arg = details?.arg;
    this.hint = hint;
  }
}
