import { join } from 'node:path';
import type { Dataset } from '../../datasets/generate.js';
import { datasetId } from '../../datasets/specs.js';
import { seconds } from '../lib/format.js';
import { removeSynclineMetadata, type BenchContext } from './context.js';
import { timedCopy } from './copy-run.js';
import type { FirstSyncResult, ResultRow } from './results.js';
import { copyTools } from './tools.js';

/**
 * cp -a, rsync -a and `syncline sync` from the dataset into an empty
 * destination, `runs` times each. Runs are interleaved (cp, rsync, syncline,
 * cp, …) so that drift on the shared machine hits every tool alike. A tool
 * that fails once is not run again on this dataset.
 */
export async function benchFirstSync(context: BenchContext, dataset: Dataset, runs: number): Promise<FirstSyncResult> {
  const id = datasetId(dataset.spec);
  const tools = copyTools(context.syncline);
  const rows: ResultRow[] = tools.map((tool) => ({ label: tool.label, samples: [], failure: tool.unavailable }));
  for (let run = 1; run <= runs; run++) {
    for (const [index, tool] of tools.entries()) {
      const row = rows[index]!;
      if (row.failure !== undefined) continue;
      const destination = join(context.workDir, id, `${tool.slug}-${run}`);
      const outcome = await timedCopy(dataset, destination, tool.command(dataset.root, destination), {
        createsDestination: tool.createsDestination,
      });
      const wall = outcome.measurement === undefined ? '' : `${seconds(outcome.measurement.wallSeconds)} s`;
      context.log(`  ${id} run ${run}/${runs}  ${tool.label.padEnd(14)} ${wall.padStart(9)}  ${outcome.ok ? 'verified' : 'FAILED'}`);
      if (outcome.ok) row.samples.push(outcome.measurement);
      else row.failure = outcome.failure;
    }
  }
  removeSynclineMetadata(dataset.root);
  return { dataset, runs, rows };
}
