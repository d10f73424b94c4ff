// Sampling text from a model one token at a time, as the names examples do.
import { noGrad, softmax, type Generator, type Tensor } from '@dl/autograd';

/** Draws index i with probability p[i] from one uniform number (the last index if rounding leaves mass over). */
export function drawIndex(p: ArrayLike<number>, g: Generator): number {
  let u = g.uniform();
  for (let i = 0; i < p.length; i++) if ((u -= p[i]!) < 0) return i;
  return p.length - 1;
}

/**
 * One name drawn token by token: `nextLogits(tokens)` gives the logits [vocab] of the token after
 * `tokens` (which start with the boundary token 0; the callback may keep its own recurrent state), and
 * the next token is drawn from softmax(logits / temperature). Stops at the next boundary or after
 * `maxChars` characters; returns the characters of the drawn tokens.
 */
export function sampleName(nextLogits: (tokens: readonly number[]) => Tensor, chars: readonly string[], temperature: number, maxChars: number, g: Generator): string {
  const tokens = [0];
  while (tokens.length <= maxChars) {
    const logits = nextLogits(tokens);
    const token = drawIndex(noGrad(() => softmax(logits.div(temperature), 0)).data, g);
    if (token === 0) break;
    tokens.push(token);
  }
  return tokens.slice(1).map((t) => chars[t]).join('');
}
