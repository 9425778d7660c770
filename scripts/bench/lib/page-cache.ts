import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { readFileInBlocks } from '../../datasets/file-io.js';
import { listTree } from '../../datasets/tree-walk.js';

/**
 * The page cache empties itself within minutes here (BENCHMARKING.md, trap 3),
 * so "warm" means reading every file of the tree right before the timed run.
 * (Not `tar -cf /dev/null`: GNU tar notices /dev/null and skips the reads.)
 */
export function warmTree(root: string): number {
  let bytes = 0;
  for (const file of listTree(root).files) bytes += readFileInBlocks(join(root, file.path));
  return bytes;
}

/**
 * Writes back the previous run's dirty pages so that they are not flushed
 * during, and charged to, the next timed run.
 */
export function flushDirtyPages(): void {
  spawnSync('sync', { stdio: 'ignore' });
}
