// The public surface of @dl/io (Node). The browser entry, browser.ts, is the same without file access.
export * from './browser.js';
export { save, load, loadWithMetadata, saveState, loadState, writeFileAtomic } from './files.js';
