import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { listTree } from '../../datasets/tree-walk.js';
import { tailLines, type CommandSpec } from '../lib/measure.js';

/** The built `syncline` command, run as a real child process like a user would. */
export interface SynclineCli {
  /** Why syncline cannot be run at all (no built entry point); its cells then read FAILED. */
  unavailable: string | undefined;
  /** Build errors or stale files that did not stop the runs; the report shows them. */
  warnings: string[];
  command(args: string[]): CommandSpec;
}

export interface PrepareOptions {
  repoRoot: string;
  /** SYNCLINE_HOME for the runs, so that the benchmark never touches the user's node home. */
  homeDir: string;
  build: boolean;
  /** Replaces packages/cli/bin/syncline.js; no build or freshness check then. */
  cliPath: string | undefined;
  log: (line: string) => void;
}

export function prepareSynclineCli(options: PrepareOptions): SynclineCli {
  const binPath = options.cliPath ?? join(options.repoRoot, 'packages/cli/bin/syncline.js');
  mkdirSync(options.homeDir, { recursive: true });
  const env = { ...process.env, SYNCLINE_HOME: options.homeDir };
  const command = (args: string[]): CommandSpec => ({ command: process.execPath, args: [binPath, ...args], env });
  const warnings: string[] = [];
  const unavailable = findProblem(options, binPath, warnings);
  for (const warning of warnings) options.log(`warning: ${warning}`);
  return { unavailable, warnings, command };
}

function findProblem(options: PrepareOptions, binPath: string, warnings: string[]): string | undefined {
  if (options.cliPath !== undefined) {
    options.log(`--cli: running ${options.cliPath}`);
    return existsSync(binPath) ? undefined : `${binPath} is missing`;
  }
  if (options.build) {
    options.log('building: npx tsc -b, then the CLI bundle');
    const started = performance.now();
    const build = spawnSync('npx', ['tsc', '-b'], { cwd: options.repoRoot, encoding: 'utf8' });
    if (build.status === 0) {
      // The CLI runs from its bundle only while the bundle is newer than the build (bin/syncline.js).
      const bundle = spawnSync('npm', ['run', 'bundle', '-w', '@syncline/cli'], { cwd: options.repoRoot, encoding: 'utf8' });
      if (bundle.status !== 0) warnings.push(`\`npm run bundle -w @syncline/cli\` failed (exit ${bundle.status}); the CLI runs unbundled:\n${tailLines(`${bundle.stdout ?? ''}${bundle.stderr ?? ''}`, 8)}`);
      options.log(`built in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    } else {
      // tsc -b still emits JavaScript for files with type errors (no noEmitOnError),
      // so type errors elsewhere in the tree need not stop the benchmark.
      const output = `${build.stdout ?? ''}${build.stderr ?? ''}${build.error?.message ?? ''}`
        .split('\n')
        .filter((line) => !line.startsWith('npm warn'))
        .join('\n');
      warnings.push(`\`npx tsc -b\` reported errors (exit ${build.status}); running the JavaScript it emitted anyway:\n${tailLines(output, 8)}`);
    }
  } else {
    options.log('--skip-build: using packages/*/dist as they are');
  }
  if (!existsSync(join(options.repoRoot, 'packages/cli/dist/bin.js'))) {
    return 'packages/cli/dist/bin.js is missing: the CLI has not been built (`npx tsc -b`)';
  }
  const stale = staleSources(options.repoRoot);
  if (stale.length > 0) {
    warnings.push(`${stale.length} source file(s) changed after their package's last build, e.g. ${stale.slice(0, 3).join(', ')}`);
  }
  return existsSync(binPath) ? undefined : `${binPath} is missing`;
}

/**
 * Source files changed after their package's last build (tsc -b rewrites
 * dist/.tsbuildinfo on every build that sees a change; it skips rewriting .js
 * files whose output is unchanged, so their mtimes prove nothing).
 */
function staleSources(repoRoot: string): string[] {
  const stale: string[] = [];
  const packagesDir = join(repoRoot, 'packages');
  for (const name of readdirSync(packagesDir)) {
    const src = join(packagesDir, name, 'src');
    if (!existsSync(src)) continue;
    const buildInfo = join(packagesDir, name, 'dist', '.tsbuildinfo');
    const builtAt = existsSync(buildInfo) ? statSync(buildInfo).mtimeMs : 0;
    for (const file of listTree(src).files) {
      if (file.path.endsWith('.ts') && file.stats.mtimeMs > builtAt) stale.push(`packages/${name}/src/${file.path}`);
    }
  }
  return stale;
}
