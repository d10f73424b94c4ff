// @dl/nn/testing: prove a hand-written backward against autograd in one line.
export {
  crossCheck, crossCheckProperty, checkAgainstTwin, arbDistinctTensor, CrossCheckError,
  type AutogradTwin, type CrossCheckOptions, type CheckAgainstTwinOptions, type Tolerance,
} from './crossCheck.js';
