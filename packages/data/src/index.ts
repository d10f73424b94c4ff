// The public surface of @dl/data (Node). The browser entry, browser.ts, is the same without MNIST.
export * from './browser.js';
export { loadMnist, type Mnist, type MnistSplit, type MnistOptions } from './mnist.js';
