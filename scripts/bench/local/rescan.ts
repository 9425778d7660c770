import { join } from 'node:path';
import type { Dataset } from '../../datasets/generate.js';
import { lstatWalk } from '../../datasets/tree-walk.js';
import { seconds } from '../lib/format.js';
import { runMeasured } from '../lib/measure.js';
import { flushDirtyPages, warmTree } from '../lib/page-cache.js';
import { removeSynclineMetadata, type BenchContext } from './context.js';
import { checkOutcome, timedCopy } from './copy-run.js';
import type { RescanResult, ResultRow, Sample } from './results.js';

const FIND_READDIR = "find SRC -printf ''  (readdir only)";
const FIND_LSTAT = "find SRC -printf '%s\\n'  (lstat walk)";
const NODE_LSTAT = 'Node readdir+lstat walk, in-process';
const SYNCLINE_RESYNC = 'syncline sync SRC DST (no change)';

/**
 * The no-change re-sync: after a first `syncline sync` of the small set into
 * DST, time `syncline sync SRC DST` again against bare walks of the source.
 * Note that `find -printf ''` never calls lstat on files (d_type from readdir
 * suffices), so the reference is the `%s` variant, which must lstat each entry.
 * Syncline has two trees to look at (SRC and DST); the reference walks one,
 * as the target is written.
 */
export async function benchRescan(context: BenchContext, dataset: Dataset, runs: number): Promise<RescanResult> {
  const source = dataset.root;
  const destination = join(context.workDir, 'rescan', 'dst');
  const rows: ResultRow[] = [FIND_READDIR, FIND_LSTAT, NODE_LSTAT, SYNCLINE_RESYNC].map((label) => ({
    label,
    samples: [],
    failure: undefined,
  }));
  const result: RescanResult = { dataset, setupFailure: undefined, rows, referenceLabel: FIND_LSTAT };
  const [findReaddir, findLstat, nodeLstat, resync] = rows as [ResultRow, ResultRow, ResultRow, ResultRow];

  if (context.syncline.unavailable !== undefined) {
    resync.failure = context.syncline.unavailable;
  } else {
    const setup = await timedCopy(dataset, destination, context.syncline.command(['sync', source, destination]), {
      createsDestination: false,
    });
    context.log(`  rescan setup: first syncline sync ${setup.ok ? 'verified' : 'FAILED'}`);
    if (!setup.ok) result.setupFailure = resync.failure = `the first sync (setup) failed: ${setup.failure}`;
  }

  for (let run = 1; run <= runs; run++) {
    flushDirtyPages();
    warmTree(source);
    if (resync.failure === undefined) warmTree(destination);
    findReaddir.samples.push(await runMeasured({ command: 'find', args: [source, '-printf', ''] }));
    findLstat.samples.push(await runMeasured({ command: 'find', args: [source, '-printf', '%s\n'], discardStdout: true }));
    nodeLstat.samples.push(timeInProcess(() => lstatWalk(source)));
    if (resync.failure === undefined) {
      const measurement = await runMeasured(context.syncline.command(['sync', source, destination]));
      const outcome = checkOutcome(measurement, destination, dataset.manifest);
      if (outcome.ok) resync.samples.push(measurement);
      else resync.failure = outcome.failure;
      context.log(`  rescan run ${run}/${runs}  ${seconds(measurement.wallSeconds)} s  ${outcome.ok ? 'verified' : 'FAILED'}`);
    }
  }
  removeSynclineMetadata(source);
  return result;
}

function timeInProcess(work: () => void): Sample {
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  work();
  const wallSeconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  return { wallSeconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, peakRssBytes: undefined };
}
