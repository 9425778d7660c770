import { existsSync, linkSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Dataset } from '../../datasets/generate.js';
import { treeMatchesManifest } from '../../datasets/manifest.js';
import { datasetId } from '../../datasets/specs.js';
import { seconds } from '../lib/format.js';
import { runMeasured, type CommandSpec } from '../lib/measure.js';
import { flushDirtyPages, warmTree } from '../lib/page-cache.js';
import type { Trash } from '../lib/trash.js';
import { checkOutcome } from '../local/copy-run.js';
import type { SynclineCli } from '../local/syncline-cli.js';
import type { P2pOptions } from './options.js';
import { p2pFirstSync } from './p2p-run.js';
import { stopPair, type DaemonPair, type PairContext } from './pair.js';
import { busyMs, findProfiles, summarizeProfile } from './profile-summary.js';
import type { FirstSyncResult, P2pRow, ProfileSummary, ToolRow } from './results.js';

export const RSYNC_LABEL = 'rsync -a';
export const LOCAL_LABEL = 'syncline sync (local, 1 process)';

export interface P2pContext {
  options: P2pOptions;
  repoRoot: string;
  workDir: string;
  trash: Trash;
  pair: PairContext;
  syncline: SynclineCli;
  log: (line: string) => void;
}

/**
 * The dataset as hard links in this run's work dir (minus any `.syncline/` the local benchmark
 * may be writing there at the same time): the daemons keep their metadata in their own tree,
 * and the bytes and their page cache are the dataset's.
 */
export function linkTree(dataset: Dataset, target: string): string {
  if (!existsSync(target)) {
    for (const file of dataset.manifest.files) {
      const to = join(target, file.path);
      mkdirSync(dirname(to), { recursive: true });
      linkSync(join(dataset.root, file.path), to);
    }
  }
  if (!treeMatchesManifest(target, dataset.manifest)) throw new Error(`${target} does not match the manifest of ${datasetId(dataset.spec)}`);
  return target;
}

/**
 * rsync -a, `syncline sync` (optional) and the p2p sync, `runs` times each, interleaved, every
 * destination fresh and verified. With --profile, one more p2p run first, with --cpu-prof on both
 * daemons, not counted. `keepLastPair`: the last p2p run's daemons are returned still running.
 */
export async function benchFirstSync(
  context: P2pContext,
  dataset: Dataset,
  runs: number,
  keepLastPair: boolean,
): Promise<{ result: FirstSyncResult; pair: DaemonPair | undefined }> {
  const id = datasetId(dataset.spec);
  const source = linkTree(dataset, join(context.workDir, 'src', id));
  const references: ToolRow[] = [{ label: RSYNC_LABEL, samples: [], failure: undefined }];
  if (context.options.localReference) references.push({ label: LOCAL_LABEL, samples: [], failure: context.syncline.unavailable });
  const p2p: P2pRow = { samples: [], failure: context.syncline.unavailable, profiles: [] };
  const timeoutMs = context.options.timeoutSeconds * 1000;
  let kept: DaemonPair | undefined;

  if (context.options.profileDir !== undefined && p2p.failure === undefined) {
    const profileDir = join(context.options.profileDir, `${id}-${Date.now().toString(36)}`);
    try {
      const { sample, pair } = await p2pFirstSync(context.pair, {
        runDir: join(context.workDir, id, 'p2p-profiled'),
        dataset,
        sourceRoot: source,
        destinationRoot: join(context.workDir, id, 'p2p-profiled', 'dst'),
        timeoutMs,
        profileDir,
        log: context.log,
      });
      await stopPair(pair);
      context.log(`  ${id} profiled run (not counted)  p2p ${seconds(sample.transferSeconds)} s; profiles in ${profileDir}`);
      p2p.profiles.push(...summaries(profileDir, id));
    } catch (error) {
      context.log(`  ${id} profiled run FAILED: ${firstLine(error)}`);
    }
  }

  for (let run = 1; run <= runs; run++) {
    for (const row of references) {
      if (row.failure !== undefined) continue;
      const slug = row.label === RSYNC_LABEL ? 'rsync' : 'local';
      const destination = join(context.workDir, id, `${slug}-${run}`);
      const command: CommandSpec =
        row.label === RSYNC_LABEL ? { command: 'rsync', args: ['-a', `${source}/`, `${destination}/`] } : context.syncline.command(['sync', source, destination]);
      rmSync(join(source, '.syncline'), { recursive: true, force: true });
      mkdirSync(destination, { recursive: true });
      flushDirtyPages();
      warmTree(source);
      const outcome = checkOutcome(await runMeasured(command), destination, dataset.manifest);
      const wall = outcome.measurement === undefined ? '' : `${seconds(outcome.measurement.wallSeconds)} s`;
      context.log(`  ${id} run ${run}/${runs}  ${row.label.padEnd(34)} ${wall.padStart(9)}  ${outcome.ok ? 'verified' : 'FAILED'}`);
      if (outcome.ok) row.samples.push(outcome.measurement);
      else row.failure = outcome.failure;
    }
    if (p2p.failure !== undefined) continue;
    try {
      const { sample, pair } = await p2pFirstSync(context.pair, {
        runDir: join(context.workDir, id, `p2p-${run}`),
        dataset,
        sourceRoot: source,
        destinationRoot: join(context.workDir, id, `p2p-${run}`, 'dst'),
        timeoutMs,
        profileDir: undefined,
        log: context.log,
      });
      p2p.samples.push(sample);
      context.log(
        `  ${id} run ${run}/${runs}  ${'syncline p2p (share → converged)'.padEnd(34)} ${`${seconds(sample.transferSeconds)} s`.padStart(9)}  verified` +
          `  (source scan ${seconds(sample.scanSeconds)} s; CPU source ${sample.sourceTransferCpu.toFixed(2)} s, destination ${sample.destinationTransferCpu.toFixed(2)} s;` +
          ` peak RSS ${(sample.sourcePeakRss / 1e6).toFixed(0)} / ${(sample.destinationPeakRss / 1e6).toFixed(0)} MB)`,
      );
      if (keepLastPair && run === runs) kept = pair;
      else await stopPair(pair);
    } catch (error) {
      p2p.failure = error instanceof Error ? error.message : String(error);
      context.log(`  ${id} run ${run}/${runs}  syncline p2p FAILED: ${firstLine(error)}`);
    }
  }
  // A kept pair's source daemon still has its database there; its user cleans up after stopping it.
  if (kept === undefined) rmSync(join(source, '.syncline'), { recursive: true, force: true });
  return { result: { dataset, runs, references, p2p }, pair: kept };
}

export function summaries(profileDir: string, what: string): ProfileSummary[] {
  const out: ProfileSummary[] = [];
  for (const label of ['source', 'destination']) {
    const { main, workers } = findProfiles(join(profileDir, label));
    if (main === undefined) continue;
    const workerText =
      workers.length === 0 ? 'no worker threads' : `${workers.length} worker thread(s), busy ${workers.map((file) => `${busyMs(file).toFixed(0)} ms`).join(', ')}`;
    out.push({ label: `${what}, ${label} daemon`, file: main, text: `${summarizeProfile(main)}\n\nMain thread above; ${workerText}.` });
  }
  return out;
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
}
