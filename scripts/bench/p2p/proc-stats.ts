import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** What /proc says about a running process (Linux). */
export interface ProcessUsage {
  /** user + system CPU seconds of every thread of the process so far. */
  cpuSeconds: number;
  /** Peak resident set size (VmHWM): exact, kept by the kernel. */
  peakRssBytes: number;
  rssBytes: number;
}

let clockTicks: number | undefined;

function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    const probe = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
    const value = Number(probe.stdout?.trim());
    clockTicks = Number.isInteger(value) && value > 0 ? value : 100;
  }
  return clockTicks;
}

/** undefined once the process is gone. */
export function processUsage(pid: number): ProcessUsage | undefined {
  let stat: string;
  let status: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  // Fields after the command name, which is in parentheses and may hold spaces: state is field 3.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[14 - 3]);
  const stime = Number(fields[15 - 3]);
  const kib = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { cpuSeconds: (utime + stime) / ticksPerSecond(), peakRssBytes: kib('VmHWM'), rssBytes: kib('VmRSS') };
}
