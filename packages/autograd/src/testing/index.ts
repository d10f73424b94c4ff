// @dl/autograd/testing: fast-check arbitraries and ready-made gradient properties for users' own ops.
export * from './arbitraries.js';
export * from './properties.js';
export { gradcheck, gradgradcheck, GradcheckError, type GradcheckOptions } from '../gradcheck.js';
