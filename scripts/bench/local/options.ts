import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { UsageError } from '../lib/benchmark.js';

export const SCENARIOS = ['small', 'large', 'mixed', 'huge', 'rescan', 'insert'] as const;
export type Scenario = (typeof SCENARIOS)[number];

/** `huge` (100,000 files) is slow to create: only when asked for by name or with `--only all`. */
const DEFAULT_SCENARIOS: readonly Scenario[] = ['small', 'large', 'mixed', 'rescan', 'insert'];

export interface LocalOptions {
  scale: number;
  runs: number;
  keep: boolean;
  scenarios: ReadonlySet<Scenario>;
  benchDir: string;
  resultsDir: string;
  build: boolean;
  /** Another syncline entry point (e.g. an older build) instead of packages/cli/bin/syncline.js. */
  cliPath: string | undefined;
}

export const LOCAL_USAGE = `usage: npm run bench -- local [options]

Times cp -a, rsync -a and \`syncline sync\` on generated datasets (warm cache,
empty destination, median of N runs), then a no-change re-sync, a 1-byte
insert into a big file and, on request, peak RSS at 100,000 files.

options:
  --scale F      shrink every dataset by F (e.g. 0.02 while developing); default 1
  --runs N       timed runs per tool and dataset; default 3
  --only LIST    comma-separated: ${SCENARIOS.join(', ')}, all
                 default: ${DEFAULT_SCENARIOS.join(',')} (huge only when named)
  --dir DIR      datasets, destinations and trash; default <repo>/bench-data
  --results DIR  where the Markdown report goes; default <repo>/bench-results for
                 full-size runs, <dir>/results (git-ignored) for scaled ones
  --keep         keep this run's destination trees (printed path) instead of deleting them at the end
  --skip-build   do not run \`npx tsc -b\` and the CLI bundle first (uses packages/cli/dist as it is)
  --cli PATH     run this syncline entry point instead of packages/cli/bin/syncline.js
                 (e.g. a previous build, for comparison); implies --skip-build
  -h, --help     this text`;


/** 100,000 files take long to copy three times over: `huge` gets one run per tool, for its peak RSS. */
export function firstSyncRuns(dataset: string, runs: number): number {
  return dataset === 'huge' ? 1 : runs;
}

export function parseLocalOptions(argv: string[], repoRoot: string): LocalOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      scale: { type: 'string' },
      runs: { type: 'string' },
      only: { type: 'string' },
      dir: { type: 'string' },
      results: { type: 'string' },
      keep: { type: 'boolean' },
      'skip-build': { type: 'boolean' },
      cli: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help === true) return 'help';
  const scale = Number(values.scale ?? '1');
  if (!(scale > 0 && scale <= 1)) throw new UsageError(`--scale must be a number in (0, 1], got ${values.scale}`);
  const runs = Number(values.runs ?? '3');
  if (!Number.isInteger(runs) || runs < 1) throw new UsageError(`--runs must be a whole number ≥ 1, got ${values.runs}`);
  const benchDir = resolve(values.dir ?? resolve(repoRoot, 'bench-data'));
  // Only full-size figures belong in the committed bench-results/.
  const defaultResults = scale === 1 ? resolve(repoRoot, 'bench-results') : resolve(benchDir, 'results');
  return {
    scale,
    runs,
    keep: values.keep === true,
    scenarios: parseScenarios(values.only),
    benchDir,
    resultsDir: resolve(values.results ?? defaultResults),
    build: values['skip-build'] !== true && values.cli === undefined,
    cliPath: values.cli === undefined ? undefined : resolve(values.cli),
  };
}

function parseScenarios(only: string | undefined): ReadonlySet<Scenario> {
  if (only === undefined) return new Set(DEFAULT_SCENARIOS);
  const chosen = new Set<Scenario>();
  for (const name of only.split(',').map((part) => part.trim()).filter(Boolean)) {
    if (name === 'all') SCENARIOS.forEach((scenario) => chosen.add(scenario));
    else if ((SCENARIOS as readonly string[]).includes(name)) chosen.add(name as Scenario);
    else throw new UsageError(`--only: unknown "${name}"; choose from ${SCENARIOS.join(', ')}, all`);
  }
  if (chosen.size === 0) throw new UsageError('--only: name at least one scenario');
  return chosen;
}
