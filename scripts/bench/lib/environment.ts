import { spawnSync } from 'node:child_process';
import { readFileSync, statfsSync } from 'node:fs';
import { availableParallelism, release, totalmem } from 'node:os';

export interface MachineDescription {
  cpu: string;
  cores: number;
  memoryGiB: number;
  kernel: string;
  node: string;
  rsync: string;
  filesystem: string;
  gitCommit: string;
}

/** What the figures were measured on, for the report header. */
export function describeMachine(benchDir: string, repoRoot: string): MachineDescription {
  const cpuInfo = safeRead('/proc/cpuinfo');
  return {
    cpu: /^model name\s*:\s*(.+)$/m.exec(cpuInfo)?.[1]?.trim() ?? 'unknown',
    cores: availableParallelism(),
    memoryGiB: Math.round(totalmem() / 1024 ** 3),
    kernel: release(),
    node: process.version,
    rsync: firstLine(run('rsync', ['--version'])).replace(/\s+protocol.*$/, '').replace(/\s+/g, ' '),
    filesystem: run('stat', ['-f', '-c', '%T', benchDir]).trim() || 'unknown',
    gitCommit: run('git', ['-C', repoRoot, 'rev-parse', '--short', 'HEAD']).trim() || 'unknown',
  };
}

export function freeDiskBytes(path: string): number {
  const stats = statfsSync(path);
  return stats.bavail * stats.bsize;
}

function run(command: string, args: string[]): string {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  return result.status === 0 ? result.stdout : '';
}

function firstLine(text: string): string {
  return text.split('\n')[0]?.trim() || 'unknown';
}

function safeRead(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
