import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync } from 'node:fs';
import { basename, join } from 'node:path';

/**
 * Deleting many files right before creating many makes the creates slow on
 * these machines (BENCHMARKING.md, trap 1). So nothing is deleted during a
 * benchmark: trees are renamed into this trash dir (instant, same
 * filesystem), and the trash is emptied once, after the last timed run.
 */
export class Trash {
  private readonly mine: string[] = [];
  private counter = 0;

  constructor(readonly dir: string) {}

  /** Entries left by an earlier, interrupted benchmark. */
  leftovers(): string[] {
    return existsSync(this.dir) ? readdirSync(this.dir).filter((name) => !this.mine.includes(name)) : [];
  }

  discard(path: string): void {
    if (!existsSync(path)) return;
    mkdirSync(this.dir, { recursive: true });
    const name = `${basename(path)}.${process.pid}.${Date.now()}.${this.counter++}`;
    renameSync(path, join(this.dir, name));
    this.mine.push(name);
  }

  /** Deletes what this run put into the trash (not other runs' leftovers). */
  emptyOwn(): void {
    if (this.mine.length === 0) return;
    spawnSync('rm', ['-rf', '--', ...this.mine.map((name) => join(this.dir, name))], { stdio: 'inherit' });
    this.mine.length = 0;
  }
}
