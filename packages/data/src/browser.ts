// The public surface of @dl/data that runs anywhere (no Node built-ins); index.ts adds the MNIST loader.
export { type Dataset, randomSplit, type RandomSplitOptions } from './dataset.js';
export { type DataLoaderOptions } from './dataLoader.js';
// Checked constructors (issue 10) with PyTorch's positional forms (issue 9).
export { TensorDataset, Subset, DataLoader } from './classes.js';
export { defaultCollate, type Collated } from './collate.js';
export { randperm } from './sampling.js';
