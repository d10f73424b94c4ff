// The public surface of @dl/data that runs anywhere (no Node built-ins); index.ts adds the MNIST loader.
export { type Dataset, TensorDataset, Subset, randomSplit, type RandomSplitOptions } from './dataset.js';
export { DataLoader, type DataLoaderOptions } from './dataLoader.js';
export { defaultCollate, type Collated } from './collate.js';
export { randperm } from './sampling.js';
