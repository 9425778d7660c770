/**
 * `npm run bench -- NAME [options]`: dispatches to scripts/bench/NAME/index.ts.
 * To add a benchmark, create its directory with an index.ts that satisfies
 * BenchmarkModule and add one line to BENCHMARKS.
 */
import { fileURLToPath } from 'node:url';
import type { BenchmarkModule } from './lib/benchmark.js';

const BENCHMARKS: Record<string, () => Promise<BenchmarkModule>> = {
  local: () => import('./local/index.js'),
  p2p: () => import('./p2p/index.js'),
};

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    await printUsage();
    return name === undefined ? 1 : 0;
  }
  const load = BENCHMARKS[name];
  if (load === undefined) {
    console.error(`bench: unknown benchmark "${name}"`);
    await printUsage();
    return 1;
  }
  return (await load()).run(rest, repoRoot);
}

async function printUsage(): Promise<void> {
  console.log('usage: npm run bench -- NAME [options]   (NAME --help for its options)\n\nbenchmarks:');
  for (const [name, load] of Object.entries(BENCHMARKS)) console.log(`  ${name.padEnd(8)} ${(await load()).description}`);
}

process.exitCode = await main(process.argv.slice(2));
