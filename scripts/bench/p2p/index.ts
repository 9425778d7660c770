import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDataset, type Dataset } from '../../datasets/generate.js';
import { datasetId, datasetSpec, planDataset, type DatasetName } from '../../datasets/specs.js';
import { describeMachine, freeDiskBytes } from '../lib/environment.js';
import { GNU_TIME_HINT, hasGnuTime } from '../lib/measure.js';
import { optionsOrExitCode, rsyncInstalled } from '../lib/benchmark.js';
import { Trash } from '../lib/trash.js';
import { prepareSynclineCli } from '../local/syncline-cli.js';
import { benchFirstSync, summaries, type P2pContext } from './first-sync.js';
import { measureLatency } from './latency.js';
import { firstSyncRuns, P2P_USAGE, parseP2pOptions, type FirstSyncScenario, type P2pOptions } from './options.js';
import { FOLDER_ID } from './p2p-run.js';
import { makeIdentities, startPair, stopPair, waitQuiet, type DaemonPair } from './pair.js';
import { renderReport } from './report.js';
import type { LatencyResult, P2pResults } from './results.js';

export const description = 'two syncline daemons on 127.0.0.1: first sync vs rsync -a, change latency, daemon CPU and peak RSS';

const FIRST_SYNC: readonly FirstSyncScenario[] = ['small', 'large', 'mixed', 'huge'];

/** `npm run bench -- p2p [options]`; returns the exit code. */
export async function run(argv: string[], repoRoot: string): Promise<number> {
  const options = optionsOrExitCode('p2p', P2P_USAGE, () => parseP2pOptions(argv, repoRoot));
  if (typeof options === 'number') return options;
  if (!rsyncInstalled('p2p')) return 1;
  const log = (line: string): void => console.log(line);
  const startedAt = new Date();
  if (!hasGnuTime()) log(`warning: ${GNU_TIME_HINT}`);

  mkdirSync(options.benchDir, { recursive: true });
  const datasetsDir = join(options.benchDir, 'datasets');
  const trash = new Trash(join(options.benchDir, 'trash'));
  const workDir = join(options.benchDir, 'work', `p2p-${startedAt.toISOString().replace(/[:.]/g, '-')}`);
  const datasets = FIRST_SYNC.filter((name) => options.scenarios.has(name));

  const needed = diskBytes(options, datasets);
  const free = freeDiskBytes(options.benchDir);
  log(`disk: this run needs about ${(needed / 1e9).toFixed(1)} GB, ${(free / 1e9).toFixed(1)} GB free under ${options.benchDir}`);
  if (needed > free) {
    console.error('bench p2p: not enough free disk space; use --scale, --only, --runs or --dir');
    return 1;
  }

  const syncline = prepareSynclineCli({ repoRoot, homeDir: join(workDir, 'syncline-home'), build: options.build, cliPath: undefined, log });
  if (syncline.unavailable !== undefined) {
    console.error(`bench p2p: syncline cannot run: ${syncline.unavailable}`);
    return 1;
  }
  // A clean environment for the daemons: no SYNCLINE_* setting of the caller leaks in, except the log level.
  const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('SYNCLINE_') || key === 'SYNCLINE_LOG'));
  env.SYNCLINE_HOME = join(workDir, 'syncline-home');
  const cliBin = join(repoRoot, 'packages/cli/bin/syncline.js');
  const identities = await makeIdentities(cliBin, env, join(workDir, 'identities'));
  const context: P2pContext = {
    options,
    repoRoot,
    workDir,
    trash,
    pair: { repoRoot, cliBin, env, identities, nodeFlags: options.nodeFlags },
    syncline,
    log,
  };

  const results: P2pResults = { firstSync: [], latency: undefined };
  const wantLatency = options.scenarios.has('latency');
  let latencyPair: DaemonPair | undefined;
  try {
    for (const name of datasets) {
      const dataset = loadDataset(name, options, datasetsDir, trash, log);
      log(`first sync: ${datasetId(dataset.spec)}`);
      const keep = wantLatency && name === 'small';
      const { result, pair } = await benchFirstSync(context, dataset, firstSyncRuns(name, options.runs), keep);
      results.firstSync.push(result);
      if (pair !== undefined) latencyPair = pair;
    }
    if (wantLatency) results.latency = await latencyScenario(context, latencyPair);
    latencyPair = undefined;
  } finally {
    if (latencyPair !== undefined) await stopPair(latencyPair);
    if (options.keep) {
      log(`--keep: this run's destinations and daemon logs stay in ${workDir}`);
    } else {
      log('emptying the trash (after the last timed run)');
      trash.discard(workDir);
      trash.emptyOwn();
    }
  }

  const report = renderReport(results, {
    options,
    pathAliases: { [workDir]: '$WORK', [datasetsDir]: '$DATASETS', ...(options.profileDir === undefined ? {} : { [options.profileDir]: '$PROFILES' }) },
    buildWarnings: syncline.warnings,
    machine: describeMachine(options.benchDir, repoRoot),
    startedAt,
    gnuTime: hasGnuTime(),
    sourceDevice: identities.source.deviceId,
    destinationDevice: identities.destination.deviceId,
    command: `npm run bench -- p2p ${argv.join(' ')}`.trim(),
  });
  console.log(`\n${report}`);
  log(`report written to ${writeReport(options, startedAt, report)}`);
  return 0;
}

/**
 * Latency on the daemons of the last `small` run (a folder of 10,000 files, converged), or,
 * when `small` is not run, on a fresh pair sharing an empty folder.
 */
async function latencyScenario(context: P2pContext, kept: DaemonPair | undefined): Promise<LatencyResult> {
  const { options, log } = context;
  const timeoutMs = 60_000;
  let pair = kept;
  const files = context.options.scale === 1 ? '10,000' : `${Math.round(10_000 * context.options.scale)}`;
  let where = kept === undefined ? '' : `On the daemons of the last \`small\` run, right after it converged (${files} files in the folder).`;
  const profiles: LatencyResult['profiles'] = [];
  const profileDir = options.profileDir === undefined ? undefined : join(options.profileDir, `latency-${Date.now().toString(36)}`);
  log('change latency');
  try {
    if (pair === undefined) {
      const dir = join(context.workDir, 'latency');
      mkdirSync(join(dir, 'src'), { recursive: true });
      const flags = (label: string): string[] | undefined => (profileDir === undefined ? undefined : ['--cpu-prof', `--cpu-prof-dir=${join(profileDir, label)}`]);
      pair = await startPair(context.pair, {
        runDir: dir,
        folderId: FOLDER_ID,
        sourceRoot: join(dir, 'src'),
        destinationRoot: join(dir, 'dst'),
        sourceFlags: flags('source'),
        destinationFlags: flags('destination'),
      });
      await pair.source.call('folder.add', { id: FOLDER_ID, path: pair.sourceRoot });
      await pair.source.call('folder.share', { id: FOLDER_ID, deviceId: pair.destination.deviceId });
      await waitQuiet(pair, 500, timeoutMs);
      where = `On a fresh pair of daemons sharing an empty folder${profileDir === undefined ? '' : ' (with --cpu-prof)'}.`;
    }
    const measured = await measureLatency(pair, options.latencySamples, timeoutMs, log);
    return { context: where, samplesMs: measured.samplesMs, failure: undefined, sourceCpu: measured.sourceCpu, destinationCpu: measured.destinationCpu, profiles };
  } catch (error) {
    const tails = pair === undefined ? '' : `\nsource daemon log tail:\n${pair.source.logTail(8)}\ndestination daemon log tail:\n${pair.destination.logTail(8)}`;
    return { context: where, samplesMs: [], failure: `${error instanceof Error ? error.message : String(error)}${tails}`, sourceCpu: undefined, destinationCpu: undefined, profiles };
  } finally {
    if (pair !== undefined) {
      await stopPair(pair);
      // The small set's source link tree: drop the daemon's metadata and the latency files.
      rmSync(join(pair.sourceRoot, '.syncline'), { recursive: true, force: true });
      for (const name of readdirSync(pair.sourceRoot)) if (name.startsWith('latency-')) rmSync(join(pair.sourceRoot, name), { force: true });
      if (kept === undefined && profileDir !== undefined) profiles.push(...summaries(profileDir, 'latency'));
    }
  }
}

function loadDataset(name: DatasetName, options: P2pOptions, datasetsDir: string, trash: Trash, log: (line: string) => void): Dataset {
  const spec = datasetSpec(name, options.scale);
  log(`dataset ${datasetId(spec)}: checking ${join(datasetsDir, datasetId(spec))}`);
  return ensureDataset(spec, { datasetsDir, discard: (path) => trash.discard(path), log });
}

/** Missing datasets, plus one copy per tool and run (destinations are kept until the end). */
function diskBytes(options: P2pOptions, datasets: readonly FirstSyncScenario[]): number {
  let bytes = 0;
  const tools = options.localReference ? 3 : 2;
  for (const name of datasets) {
    const onDisk = planDataset(datasetSpec(name, options.scale)).files.reduce((sum, file) => sum + (Math.ceil(file.size / 4096) + 1) * 4096, 0);
    const copies = tools * firstSyncRuns(name, options.runs) + (options.profileDir === undefined ? 0 : 1);
    bytes += onDisk * (copies + 1);
  }
  return Math.ceil(bytes * 1.05);
}

/** `bench-results/p2p-YYYY-MM-DD.md`; scaled runs say so in the name; never overwrites. */
function writeReport(options: P2pOptions, startedAt: Date, report: string): string {
  mkdirSync(options.resultsDir, { recursive: true });
  const stem = `p2p-${startedAt.toISOString().slice(0, 10)}${options.scale === 1 ? '' : `-scale${options.scale}`}`;
  let path = join(options.resultsDir, `${stem}.md`);
  for (let counter = 2; existsSync(path); counter++) path = join(options.resultsDir, `${stem}-${counter}.md`);
  writeFileSync(path, report);
  return path;
}
