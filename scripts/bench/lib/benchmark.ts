import { spawnSync } from 'node:child_process';

/** What every benchmark under scripts/bench/<name>/index.ts exports. */
export interface BenchmarkModule {
  description: string;
  /** Runs with the arguments after the benchmark's name; returns the exit code. */
  run(argv: string[], repoRoot: string): Promise<number>;
}

/** A bad command-line option: exit code 1 and the usage text. */
export class UsageError extends Error {}

/**
 * Parses a benchmark's options with `parse`: the options, or the exit code once the usage
 * (for `--help`) or what was wrong with them has been printed.
 */
export function optionsOrExitCode<T>(name: string, usage: string, parse: () => T | 'help'): T | number {
  try {
    const parsed = parse();
    if (parsed !== 'help') return parsed;
    console.log(usage);
    return 0;
  } catch (error) {
    console.error(`bench ${name}: ${error instanceof Error ? error.message : String(error)}\n\n${usage}`);
    return error instanceof UsageError || error instanceof TypeError ? 1 : 3;
  }
}

/** rsync is the reference of every row: false, once said, when it is not installed. */
export function rsyncInstalled(name: string): boolean {
  if (spawnSync('rsync', ['--version'], { stdio: 'ignore' }).status === 0) return true;
  console.error(`bench ${name}: rsync is not installed (it is the reference of every row)`);
  return false;
}
