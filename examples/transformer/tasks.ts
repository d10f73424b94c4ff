// The digit-sequence tasks of the attention example: reverse or sort 0-9 digits. A fixed rule puts
// one sequence in ten in the held-out set, and training never draws those, so the test set is unseen.
import { Tensor, type Generator } from '@dl/autograd';

/** Which sequence task. */
export type SequenceTask = 'reverse' | 'sort';

/** Whether a digit sequence belongs to the held-out set (a fixed hash of the digits, one in ten). */
export function isHeldOut(digits: ArrayLike<number>): boolean {
  let h = 0;
  for (let i = 0; i < digits.length; i++) h = (h * 31 + digits[i]! * 7 + 3) % 1000003;
  return h % 10 === 0;
}

/** The task's answer for one sequence. */
export function target(task: SequenceTask, digits: readonly number[]): number[] {
  return task === 'reverse' ? digits.slice().reverse() : digits.slice().sort((a, b) => a - b);
}

/** A batch of `count` sequences of `length` digits from the training (or held-out) side: x and y [count, length]. */
export function sequenceBatch(task: SequenceTask, count: number, length: number, g: Generator, heldOut: boolean): { x: Tensor; y: Tensor } {
  const x = new Float32Array(count * length);
  const y = new Float32Array(count * length);
  for (let n = 0; n < count; n++) {
    let digits: number[];
    do digits = Array.from({ length }, () => g.integer(0, 10));
    while (isHeldOut(digits) !== heldOut);
    x.set(digits, n * length);
    y.set(target(task, digits), n * length);
  }
  return { x: new Tensor(x, [count, length]), y: new Tensor(y, [count, length]) };
}
