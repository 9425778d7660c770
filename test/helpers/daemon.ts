import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT, runCli } from './cli.js';

const BIN = path.join(REPO_ROOT, 'packages/cli/src/bin.ts');

export interface DaemonProcess {
  home: string;
  deviceId: string;
  addresses: string[];
  apiPort: number;
  proc: ChildProcess;
  output(): string;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  cli(args: string[]): ReturnType<typeof runCli>;
}

/** Starts `syncline daemon` as a real child process on 127.0.0.1 with mDNS off; resolves once it listens. */
export async function startDaemon(
  home: string,
  options: { port?: number; env?: NodeJS.ProcessEnv; /** A built JavaScript entry to run instead of the TypeScript sources. */ entry?: string } = {},
): Promise<DaemonProcess> {
  const entry = options.entry ? [options.entry] : ['--conditions=source', '--import', 'tsx', BIN];
  const proc = spawn(
    process.execPath,
    [...entry, 'daemon', '--home', home, '--listen', `/ip4/127.0.0.1/tcp/${options.port ?? 0}`, '--api-port', '0', '--no-mdns', '--json'],
    { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SYNCLINE_LOG: 'info', ...options.env } },
  );
  let out = '';
  proc.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
  const exited = new Promise<number | null>((resolve) => proc.on('close', (code) => resolve(code)));
  const started = await new Promise<{ deviceId: string; addresses: string[]; apiPort: number }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`daemon did not start within 30 s:\n${out}`)), 30_000);
    const onData = () => {
      const line = out.split('\n').find((l) => l.startsWith('{"event":"started"'));
      if (line) {
        clearTimeout(timer);
        proc.stdout!.off('data', onData);
        resolve(JSON.parse(line));
      }
    };
    proc.stdout!.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`daemon exited with ${code} before starting:\n${out}`));
    });
  }).catch(async (err) => {
    proc.kill('SIGKILL');
    throw err;
  });
  return {
    home,
    ...started,
    proc,
    output: () => out,
    exited,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      return exited;
    },
    cli: (args) => runCli([...args, '--home', home]),
  };
}

export async function waitFor(cond: () => Promise<boolean> | boolean, what: string, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
