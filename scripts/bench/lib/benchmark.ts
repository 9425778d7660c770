/** What every benchmark under scripts/bench/<name>/index.ts exports. */
export interface BenchmarkModule {
  description: string;
  /** Runs with the arguments after the benchmark's name; returns the exit code. */
  run(argv: string[], repoRoot: string): Promise<number>;
}
