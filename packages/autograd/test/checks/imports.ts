// The names the hardening tests use, from the public entry point.
export * from '../../src/index.js';
export { MAX_NUMEL as MAX_NUMEL_FOR_TESTS } from '../../src/checks/limits.js';
