export {};
export * as manual from './manual/index.js';
