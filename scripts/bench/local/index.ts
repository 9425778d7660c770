import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { datasetId, type DatasetName } from '../../datasets/specs.js';
import { describeMachine, freeDiskBytes } from '../lib/environment.js';
import { GNU_TIME_HINT, hasGnuTime } from '../lib/measure.js';
import { optionsOrExitCode, rsyncInstalled } from '../lib/benchmark.js';
import { Trash } from '../lib/trash.js';
import { datasetLoader, type BenchContext } from './context.js';
import { estimateDiskBytes } from './disk-budget.js';
import { benchFirstSync } from './first-sync.js';
import { benchInsert } from './insert.js';
import { firstSyncRuns, LOCAL_USAGE, parseLocalOptions, type LocalOptions, type Scenario } from './options.js';
import { renderReport } from './report.js';
import { benchRescan } from './rescan.js';
import type { LocalResults } from './results.js';
import { prepareSynclineCli } from './syncline-cli.js';

export const description = 'cp -a / rsync -a / syncline sync between two local directories';

const FIRST_SYNC_DATASETS: readonly DatasetName[] = ['small', 'large', 'mixed', 'huge'];

/** `npm run bench -- local [options]`; returns the exit code. */
export async function run(argv: string[], repoRoot: string): Promise<number> {
  const options = optionsOrExitCode('local', LOCAL_USAGE, () => parseLocalOptions(argv, repoRoot));
  if (typeof options === 'number') return options;
  if (!rsyncInstalled('local')) return 1;
  const log = (line: string): void => console.log(line);
  const startedAt = new Date();
  if (!hasGnuTime()) log(`warning: ${GNU_TIME_HINT}`);

  mkdirSync(options.benchDir, { recursive: true });
  const datasetsDir = join(options.benchDir, 'datasets');
  const trash = new Trash(join(options.benchDir, 'trash'));
  const runId = startedAt.toISOString().replace(/[:.]/g, '-');
  const workDir = join(options.benchDir, 'work', runId);
  warnAboutLeftovers(options.benchDir, trash);

  const needed = estimateDiskBytes(options, datasetsDir, FIRST_SYNC_DATASETS);
  const free = freeDiskBytes(options.benchDir);
  log(`disk: this run needs about ${(needed / 1e9).toFixed(1)} GB, ${(free / 1e9).toFixed(1)} GB free under ${options.benchDir}`);
  if (needed > free) {
    console.error('bench local: not enough free disk space; use --scale, --only or --dir on a bigger filesystem');
    return 1;
  }

  const syncline = prepareSynclineCli({ repoRoot, homeDir: join(workDir, 'syncline-home'), build: options.build, cliPath: options.cliPath, log });
  if (syncline.unavailable !== undefined) log(`warning: syncline cannot run; its cells will read FAILED: ${syncline.unavailable}`);

  const context: BenchContext = {
    options,
    datasetsDir,
    workDir,
    trash,
    syncline,
    log,
    dataset: datasetLoader(options, datasetsDir, trash, log),
  };
  const results: LocalResults = { firstSync: [], rescan: undefined, insert: undefined };
  const wanted = (scenario: Scenario): boolean => options.scenarios.has(scenario);
  try {
    for (const name of FIRST_SYNC_DATASETS.filter(wanted)) {
      const dataset = context.dataset(name);
      log(`first sync: ${datasetId(dataset.spec)}`);
      results.firstSync.push(await benchFirstSync(context, dataset, firstSyncRuns(name, options.runs)));
    }
    if (wanted('rescan')) {
      log('no-change re-sync: small');
      results.rescan = await benchRescan(context, context.dataset('small'), options.runs);
    }
    if (wanted('insert')) {
      log('1-byte insert: large');
      results.insert = await benchInsert(context, context.dataset('large'));
    }
  } finally {
    if (options.keep) {
      log(`--keep: this run's destinations stay in ${workDir}`);
    } else {
      log('emptying the trash (after the last timed run)');
      trash.discard(workDir);
      trash.emptyOwn();
    }
  }

  const report = renderReport(results, {
    options,
    pathAliases: { [workDir]: '$WORK', [datasetsDir]: '$DATASETS' },
    buildWarnings: syncline.warnings,
    machine: describeMachine(options.benchDir, repoRoot),
    startedAt,
    gnuTime: hasGnuTime(),
  });
  console.log(`\n${report}`);
  const reportFile = writeReport(options, startedAt, report);
  log(`report written to ${reportFile}`);
  return 0;
}

/** `bench-results/local-YYYY-MM-DD.md`; scaled runs say so in the name; never overwrites. */
function writeReport(options: LocalOptions, startedAt: Date, report: string): string {
  mkdirSync(options.resultsDir, { recursive: true });
  const stem = `local-${startedAt.toISOString().slice(0, 10)}${options.scale === 1 ? '' : `-scale${options.scale}`}`;
  let path = join(options.resultsDir, `${stem}.md`);
  for (let counter = 2; existsSync(path); counter++) path = join(options.resultsDir, `${stem}-${counter}.md`);
  writeFileSync(path, report);
  return path;
}

function warnAboutLeftovers(benchDir: string, trash: Trash): void {
  const leftovers = [
    ...trash.leftovers().map((name) => join(trash.dir, name)),
    ...listDir(join(benchDir, 'work')).map((name) => join(benchDir, 'work', name)),
  ];
  if (leftovers.length === 0) return;
  console.log(
    `warning: leftovers of an earlier, interrupted or --keep run (not deleted now: a mass delete would slow the creates that follow):\n` +
      leftovers.map((path) => `  ${path}`).join('\n') +
      `\n  remove them when no benchmark runs: rm -rf ${leftovers.join(' ')}`,
  );
}

function listDir(path: string): string[] {
  return existsSync(path) ? readdirSync(path) : [];
}
