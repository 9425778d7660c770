import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const GNU_TIME = '/usr/bin/time';
const STDOUT_LIMIT = 4 << 20;
const STDERR_TAIL_LINES = 15;

export interface CommandSpec {
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Send stdout to /dev/null instead of collecting it (e.g. a `find` listing). */
  discardStdout?: boolean;
}

export interface Measurement {
  /** The command line, for the report. */
  display: string;
  exitCode: number | null;
  ok: boolean;
  wallSeconds: number;
  /** user + system CPU seconds of the process and its children; undefined without GNU time. */
  cpuSeconds: number | undefined;
  peakRssBytes: number | undefined;
  stdout: string;
  stderrTail: string;
}

let gnuTimeChecked: boolean | undefined;

/** GNU time gives peak RSS and user+sys CPU; busybox or the shell keyword do not. */
export function hasGnuTime(): boolean {
  if (gnuTimeChecked === undefined) {
    const probe = spawnSync(GNU_TIME, ['--version'], { encoding: 'utf8' });
    gnuTimeChecked = probe.error === undefined && `${probe.stdout}${probe.stderr}`.includes('GNU');
  }
  return gnuTimeChecked;
}

export const GNU_TIME_HINT =
  'GNU time (/usr/bin/time) is missing, so CPU seconds and peak RSS show as n/a. ' +
  "Install Debian's `time` package to get them: sudo apt-get install time";

let timeOutputDir: string | undefined;

/**
 * Runs one command as a child process and measures it: wall time from this
 * process (high resolution), CPU and peak RSS from GNU time (`%M %e %U %S`).
 */
export function runMeasured(spec: CommandSpec): Promise<Measurement> {
  const display = [spec.command, ...spec.args].join(' ');
  if (timeOutputDir === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'syncline-bench-time-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    timeOutputDir = dir;
  }
  const timeFile = join(timeOutputDir, 'time.txt');
  rmSync(timeFile, { force: true });
  const [command, args] = hasGnuTime()
    ? [GNU_TIME, ['-o', timeFile, '-f', '%M %e %U %S', spec.command, ...spec.args]]
    : [spec.command, spec.args];

  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(command, args, {
      cwd: spec.cwd,
      env: spec.env ?? process.env,
      stdio: ['ignore', spec.discardStdout === true ? 'ignore' : 'pipe', 'pipe'],
    });
    const stdout: Buffer[] = [];
    let stdoutBytes = 0;
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      if (stdoutBytes < STDOUT_LIMIT) stdout.push(chunk);
      stdoutBytes += chunk.length;
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-64 * 1024);
    });
    const finish = (exitCode: number | null, failure?: string): void => {
      const wallSeconds = (performance.now() - started) / 1000;
      const usage = hasGnuTime() ? readTimeOutput(timeFile) : undefined;
      const stderrText = failure === undefined ? stderr : `${stderr}\n${failure}`;
      resolve({
        display,
        exitCode,
        ok: exitCode === 0,
        wallSeconds,
        cpuSeconds: usage?.cpuSeconds,
        peakRssBytes: usage?.peakRssBytes,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderrTail: tailLines(stderrText, STDERR_TAIL_LINES),
      });
    };
    child.on('error', (error) => finish(null, `could not start: ${error.message}`));
    child.on('close', (code, signal) => finish(code, signal === null ? undefined : `killed by ${signal}`));
  });
}

interface ResourceUsage {
  cpuSeconds: number;
  peakRssBytes: number;
}

/** The last line of GNU time's output file is the format line; earlier lines say how the command ended. */
function readTimeOutput(path: string): ResourceUsage | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  const last = text.trim().split('\n').at(-1) ?? '';
  const fields = last.trim().split(/\s+/).map(Number);
  if (fields.length !== 4 || fields.some((value) => !Number.isFinite(value))) return undefined;
  const [maxRssKiB, , userSeconds, systemSeconds] = fields as [number, number, number, number];
  return { cpuSeconds: userSeconds + systemSeconds, peakRssBytes: maxRssKiB * 1024 };
}

export function tailLines(text: string, count: number): string {
  return text.trimEnd().split('\n').slice(-count).join('\n');
}
