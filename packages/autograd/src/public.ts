// Public entry points whose implementations the library also calls internally on hot paths (or which
// belong to files other work owns): checked here, at the export, so internal calls stay unchecked.
import { Generator as GeneratorRaw } from './random.js';
import { broadcastShapes as broadcastShapesRaw } from './shape.js';
import { isGradEnabled as isGradEnabledRaw } from './tape.js';
import { api, checkedClass, sig } from './checks/guard.js';
import * as K from './checks/kinds.js';

/** A seeded random generator: `new Generator(seed?)`. */
export const Generator = checkedClass(GeneratorRaw, sig('Generator', ['seed', K.optional(K.number)]));
export type Generator = GeneratorRaw;

/** The broadcast shape of two shapes, or an error naming `op`. */
export const broadcastShapes = api(sig('broadcastShapes', ['op', K.string], ['a', K.list(K.int({ min: 0 }))], ['b', K.list(K.int({ min: 0 }))]), function broadcastShapes(op: string, a: readonly number[], b: readonly number[]): number[] {
  return broadcastShapesRaw(op, a, b);
});

/** Whether operations are being recorded for backward. */
export const isGradEnabled = api(sig('isGradEnabled'), function isGradEnabled(): boolean {
  return isGradEnabledRaw();
});
