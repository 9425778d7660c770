import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, closeSync, copyFileSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiClient } from '@syncline/daemon';
import { tailLines } from '../lib/measure.js';
import { processUsage, type ProcessUsage } from './proc-stats.js';

/** One event from the daemon's control API, with the moment this process received it. */
export interface TimedEvent {
  at: number;
  event: string;
  data: unknown;
}

export interface DaemonSpec {
  label: string;
  repoRoot: string;
  home: string;
  /** identity.key copied into the fresh home, so device IDs (and so session roles) stay fixed. */
  identityKey: string;
  logFile: string;
  /** Extra node flags, e.g. --cpu-prof. */
  nodeFlags: string[];
  env: NodeJS.ProcessEnv;
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Never leave a daemon behind, whatever ends the benchmark. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  const killAll = (): void => {
    for (const child of running) child.kill('SIGKILL');
  };
  process.on('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      killAll();
      process.exit(130);
    });
  }
}

/**
 * `node packages/cli/bin/syncline.js daemon --home H --listen /ip4/127.0.0.1/tcp/0 --api-port 0
 * --no-mdns --json` as a real child process, its control API connected for events.
 */
export class BenchDaemon {
  readonly events: TimedEvent[] = [];
  private readonly listeners = new Set<(event: TimedEvent) => void>();
  private exitCode: number | null | undefined;
  private readonly exited: Promise<void>;

  private constructor(
    readonly spec: DaemonSpec,
    readonly child: ChildProcess,
    readonly deviceId: string,
    readonly addresses: string[],
    readonly client: ApiClient,
  ) {
    this.exited = new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      else child.once('close', () => resolve());
    });
    client.onEvent((event, data) => {
      const timed = { at: performance.now(), event, data };
      this.events.push(timed);
      for (const listener of this.listeners) listener(timed);
    });
  }

  static async start(spec: DaemonSpec): Promise<BenchDaemon> {
    installExitHook();
    mkdirSync(spec.home, { recursive: true, mode: 0o700 });
    copyFileSync(spec.identityKey, join(spec.home, 'identity.key'));
    const log = openSync(spec.logFile, 'a');
    const args = [
      ...spec.nodeFlags,
      join(spec.repoRoot, 'packages/cli/bin/syncline.js'),
      'daemon',
      '--home',
      spec.home,
      '--listen',
      '/ip4/127.0.0.1/tcp/0',
      '--api-port',
      '0',
      '--no-mdns',
      '--json',
    ];
    const child = spawn(process.execPath, args, { cwd: spec.repoRoot, env: spec.env, stdio: ['ignore', 'pipe', log] });
    closeSync(log);
    running.add(child);
    child.once('close', () => running.delete(child));
    let out = '';
    child.stdout!.setEncoding('utf8');
    try {
      const started = await new Promise<{ deviceId: string; addresses: string[] }>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`the ${spec.label} daemon did not start within 60 s`)), 60_000);
        child.stdout!.on('data', (text: string) => {
          // stdout goes to the log too (e.g. --trace-gc output of a --node-flags experiment).
          appendFileSync(spec.logFile, text);
          out = (out + text).slice(-64 * 1024);
          const line = out.split('\n').find((l) => l.startsWith('{"event":"started"'));
          if (line !== undefined) {
            clearTimeout(timer);
            resolve(JSON.parse(line) as { deviceId: string; addresses: string[] });
          }
        });
        child.once('close', (code, signal) => {
          clearTimeout(timer);
          reject(new Error(`the ${spec.label} daemon exited (${signal ?? code}) before starting:\n${tailLines(readLog(spec.logFile), 10)}`));
        });
      });
      const client = await ApiClient.connect(spec.home);
      return new BenchDaemon(spec, child, started.deviceId, started.addresses, client);
    } catch (error) {
      child.kill('SIGKILL');
      throw error;
    }
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** CPU seconds so far and peak RSS (VmHWM) from /proc; undefined once the process is gone. */
  usage(): ProcessUsage | undefined {
    return processUsage(this.pid);
  }

  /** Calls the control API (the methods the CLI calls). */
  call<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    return this.client.call<T>(method, params);
  }

  /** Resolves with the first event (already received after `since`, or to come) that `match` accepts. */
  waitForEvent(match: (event: TimedEvent) => boolean, what: string, timeoutMs: number, since = 0): Promise<TimedEvent> {
    const earlier = this.events.find((event) => event.at >= since && match(event));
    if (earlier !== undefined) return Promise.resolve(earlier);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.listeners.delete(listener);
        reject(new Error(`timed out after ${(timeoutMs / 1000).toFixed(0)} s waiting for ${what} (${this.spec.label} daemon)`));
      }, timeoutMs);
      const listener = (event: TimedEvent): void => {
        if (!match(event)) return;
        clearTimeout(timer);
        this.listeners.delete(listener);
        resolve(event);
      };
      this.listeners.add(listener);
    });
  }

  onEvent(listener: (event: TimedEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The moment of the last event received, or undefined. */
  lastEventAt(): number | undefined {
    return this.events.at(-1)?.at;
  }

  logTail(lines = 15): string {
    return tailLines(readLog(this.spec.logFile), lines);
  }

  /** SIGTERM (the daemon stops cleanly, so a --cpu-prof profile gets written), SIGKILL after 60 s. */
  async stop(): Promise<number | null | undefined> {
    this.client.close();
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    const killer = setTimeout(() => this.child.kill('SIGKILL'), 60_000);
    await this.exited;
    clearTimeout(killer);
    this.exitCode = this.child.exitCode;
    return this.exitCode;
  }
}

function readLog(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
