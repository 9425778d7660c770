import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { UsageError } from '../lib/benchmark.js';

export const SCENARIOS = ['small', 'large', 'mixed', 'huge', 'latency'] as const;
export type Scenario = (typeof SCENARIOS)[number];
export type FirstSyncScenario = Exclude<Scenario, 'latency'>;

/** `huge` (100,000 files) is slow: only when asked for by name or with `--only all`. */
const DEFAULT_SCENARIOS: readonly Scenario[] = ['small', 'large', 'mixed', 'latency'];

export interface P2pOptions {
  scale: number;
  runs: number;
  keep: boolean;
  scenarios: ReadonlySet<Scenario>;
  benchDir: string;
  resultsDir: string;
  build: boolean;
  /** Also time `syncline sync SRC DST` (the local pipeline, one process) in the same runs. */
  localReference: boolean;
  latencySamples: number;
  /** Write V8 CPU profiles of both daemons (of the first run of each dataset) here. */
  profileDir: string | undefined;
  /** Seconds to wait for one p2p first sync to converge before it counts as failed. */
  timeoutSeconds: number;
  /** Extra node flags for every daemon (experiments, e.g. --max-semi-space-size=32). */
  nodeFlags: string[];
}

export const P2P_USAGE = `usage: npm run bench -- p2p [options]

Two \`syncline daemon\` child processes on 127.0.0.1 (mDNS off): the source
daemon holds a dataset, the other an empty folder; measures the time from the
second \`folder share\` until the destination holds every file (verified
against the sha256 manifest), against \`rsync -a\` of the same data in the same
run; then the latency of a 4 KiB edit; CPU time and peak RSS of each daemon.

options:
  --scale F          shrink every dataset by F (e.g. 0.02 while developing); default 1
  --runs N           timed runs per tool and dataset; default 3 (huge: 1)
  --only LIST        comma-separated: ${SCENARIOS.join(', ')}, all
                     default: ${DEFAULT_SCENARIOS.join(',')} (huge only when named)
  --latency-samples N  4 KiB edits timed in the latency scenario; default 20
  --no-local         do not time \`syncline sync SRC DST\` (local, one process) beside
  --profile DIR      run the daemons of the first run of each dataset (and of the
                     latency pair) with --cpu-prof into DIR, and summarize the profiles
  --node-flags F     extra node flags for every daemon, space-separated (experiments,
                     e.g. --node-flags="--max-semi-space-size=32"); shown in the report
  --timeout S        seconds one p2p sync may take before it counts as failed; default 900
  --dir DIR          datasets, destinations and trash; default <repo>/bench-data
  --results DIR      where the Markdown report goes; default <repo>/bench-results for
                     full-size runs, <dir>/results (git-ignored) for scaled ones
  --keep             keep this run's destinations and daemon logs instead of deleting them
  --skip-build       do not run \`npx tsc -b\` first (uses packages/*/dist as they are)
  -h, --help         this text`;


export function firstSyncRuns(dataset: FirstSyncScenario, runs: number): number {
  return dataset === 'huge' ? 1 : runs;
}

export function parseP2pOptions(argv: string[], repoRoot: string): P2pOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      scale: { type: 'string' },
      runs: { type: 'string' },
      only: { type: 'string' },
      'latency-samples': { type: 'string' },
      'no-local': { type: 'boolean' },
      profile: { type: 'string' },
      timeout: { type: 'string' },
      'node-flags': { type: 'string' },
      dir: { type: 'string' },
      results: { type: 'string' },
      keep: { type: 'boolean' },
      'skip-build': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help === true) return 'help';
  const scale = Number(values.scale ?? '1');
  if (!(scale > 0 && scale <= 1)) throw new UsageError(`--scale must be a number in (0, 1], got ${values.scale}`);
  const runs = wholeNumber('--runs', values.runs ?? '3', 1);
  const latencySamples = wholeNumber('--latency-samples', values['latency-samples'] ?? '20', 1);
  const timeoutSeconds = wholeNumber('--timeout', values.timeout ?? '900', 1);
  const benchDir = resolve(values.dir ?? resolve(repoRoot, 'bench-data'));
  const defaultResults = scale === 1 ? resolve(repoRoot, 'bench-results') : resolve(benchDir, 'results');
  return {
    scale,
    runs,
    keep: values.keep === true,
    scenarios: parseScenarios(values.only),
    benchDir,
    resultsDir: resolve(values.results ?? defaultResults),
    build: values['skip-build'] !== true,
    localReference: values['no-local'] !== true,
    latencySamples,
    profileDir: values.profile === undefined ? undefined : resolve(values.profile),
    timeoutSeconds,
    nodeFlags: (values['node-flags'] ?? '').split(/\s+/).filter(Boolean),
  };
}

function wholeNumber(name: string, text: string, min: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) throw new UsageError(`${name} must be a whole number ≥ ${min}, got ${text}`);
  return value;
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
