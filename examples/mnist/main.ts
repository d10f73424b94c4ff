// The main job: trains a model on real MNIST digits with a progress bar, evaluates it after each
// epoch, and writes the weights (safetensors) and an SVG of the training and test curves.
import { parseArgs, usage, type Args } from './args.js';
import { run } from './train.js';

let args: Args;
try {
  args = parseArgs(process.argv.slice(2));
} catch (e) {
  console.error(`mnist: ${(e as Error).message}\n\n${usage}`);
  process.exit(2);
}
if (args.help) {
  console.log(usage);
} else {
  try {
    run(args);
  } catch (e) {
    console.error(`mnist: ${(e as Error).message}`);
    process.exit(1);
  }
}
