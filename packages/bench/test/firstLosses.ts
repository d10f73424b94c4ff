import { convData, isUnsupported, mlpData, type Framework } from '../src/workloads.js';

/** The first `steps` training losses of a framework's MLP or conv workload, from the bench's shared inputs. */
export async function firstLosses(fw: Framework, kind: 'mlp' | 'conv', steps = 3): Promise<number[]> {
  await fw.activate?.();
  const trainer = await (kind === 'mlp' ? fw.mlp(mlpData(16)) : fw.conv(convData(4)));
  if (isUnsupported(trainer)) throw new Error(`${fw.name}: ${trainer.unsupported}`);
  try {
    const out: number[] = [];
    for (let i = 0; i < steps; i++) out.push(await trainer.step());
    return out;
  } finally {
    trainer.dispose?.();
  }
}
