import { chmodSync, copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { runMeasured } from '../lib/measure.js';
import { BenchDaemon, type TimedEvent } from './daemon.js';

/** Identities made once per benchmark: the source daemon always has the smaller device ID. */
export interface Identities {
  source: { keyFile: string; deviceId: string };
  destination: { keyFile: string; deviceId: string };
}

export interface PairContext {
  repoRoot: string;
  /** `node packages/cli/bin/syncline.js`. */
  cliBin: string;
  env: NodeJS.ProcessEnv;
  identities: Identities;
  /** node flags for every daemon (--node-flags). */
  nodeFlags: string[];
}

/** Two running daemons: `source` holds the data, `destination` receives it. */
export interface DaemonPair {
  source: BenchDaemon;
  destination: BenchDaemon;
  folderId: string;
  sourceRoot: string;
  destinationRoot: string;
}

/**
 * Two identities via `syncline id --init`. Between two daemons only the one with the smaller
 * device ID opens sessions (the other nudges it); the source gets the smaller one in every run,
 * so the session roles do not change between runs.
 */
export async function makeIdentities(cliBin: string, env: NodeJS.ProcessEnv, dir: string): Promise<Identities> {
  const made: { keyFile: string; deviceId: string }[] = [];
  for (const name of ['one', 'two']) {
    const home = join(dir, name);
    mkdirSync(home, { recursive: true, mode: 0o700 });
    const result = await runMeasured({ command: process.execPath, args: [cliBin, 'id', '--init', '--json', '--home', home], env });
    if (!result.ok) throw new Error(`syncline id --init failed: ${result.stderrTail}`);
    const { deviceId } = JSON.parse(result.stdout) as { deviceId: string };
    const keyFile = join(dir, `${name}.key`);
    copyFileSync(join(home, 'identity.key'), keyFile);
    chmodSync(keyFile, 0o600);
    made.push({ keyFile, deviceId });
  }
  made.sort((a, b) => (a.deviceId < b.deviceId ? -1 : 1));
  return { source: made[0]!, destination: made[1]! };
}

/** One CLI command against a running daemon; throws with its stderr when it fails. */
export async function cli(context: PairContext, home: string, args: string[]): Promise<void> {
  const result = await runMeasured({ command: process.execPath, args: [context.cliBin, ...args, '--home', home], env: context.env });
  if (!result.ok) throw new Error(`\`syncline ${args.join(' ')}\` failed (exit ${result.exitCode}):\n${result.stderrTail}`);
}

export interface StartPairOptions {
  runDir: string;
  folderId: string;
  sourceRoot: string;
  destinationRoot: string;
  /** node flags per daemon, e.g. --cpu-prof --cpu-prof-dir=… */
  sourceFlags?: string[];
  destinationFlags?: string[];
}

/**
 * Starts both daemons in fresh homes and links them the way a user does, through the CLI:
 * `peer add` on both sides, then on the destination `folder add` and `folder share`. The
 * source's folder is added and shared by the caller (its scan and the second share are timed).
 */
export async function startPair(context: PairContext, options: StartPairOptions): Promise<DaemonPair> {
  mkdirSync(options.runDir, { recursive: true });
  const start = (label: 'source' | 'destination', flags: string[] | undefined): Promise<BenchDaemon> =>
    BenchDaemon.start({
      label,
      repoRoot: context.repoRoot,
      home: join(options.runDir, `home-${label}`),
      identityKey: context.identities[label].keyFile,
      logFile: join(options.runDir, `${label}.log`),
      nodeFlags: [...context.nodeFlags, ...(flags ?? [])],
      env: context.env,
    });
  const source = await start('source', options.sourceFlags);
  let destination: BenchDaemon;
  try {
    destination = await start('destination', options.destinationFlags);
  } catch (error) {
    await source.stop();
    throw error;
  }
  const pair = { source, destination, folderId: options.folderId, sourceRoot: options.sourceRoot, destinationRoot: options.destinationRoot };
  try {
    await cli(context, source.spec.home, ['peer', 'add', destination.deviceId, '--addr', destination.addresses[0]!]);
    await cli(context, destination.spec.home, ['peer', 'add', source.deviceId, '--addr', source.addresses[0]!]);
    await cli(context, destination.spec.home, ['folder', 'add', options.folderId, options.destinationRoot]);
    await cli(context, destination.spec.home, ['folder', 'share', options.folderId, source.deviceId]);
    await waitUntil(async () => (await connected(source, destination.deviceId)) && (await connected(destination, source.deviceId)), 'the daemons to connect', 30_000);
  } catch (error) {
    await stopPair(pair);
    throw error;
  }
  return pair;
}

async function connected(daemon: BenchDaemon, peer: string): Promise<boolean> {
  const peers = await daemon.call<{ deviceId: string; connected: boolean }[]>('peers');
  return peers.some((p) => p.deviceId === peer && p.connected);
}

export async function stopPair(pair: DaemonPair): Promise<void> {
  await Promise.all([pair.source.stop(), pair.destination.stop()]);
}

export function folderState(event: TimedEvent, folderId: string): string | undefined {
  if (event.event !== 'folder') return undefined;
  const data = event.data as { id?: string; state?: string } | null;
  return data?.id === folderId ? data.state : undefined;
}

export function isSynced(event: TimedEvent, folderId: string): boolean {
  return event.event === 'synced' && (event.data as { folder?: string } | null)?.folder === folderId;
}

/** Both daemons idle on the folder and no event from either for `quietMs`. */
export async function waitQuiet(pair: DaemonPair, quietMs: number, timeoutMs: number): Promise<void> {
  const idle = async (daemon: BenchDaemon): Promise<boolean> => {
    const folders = await daemon.call<{ id: string; state: string }[]>('folders');
    return folders.find((f) => f.id === pair.folderId)?.state === 'idle';
  };
  await waitUntil(async () => {
    const last = Math.max(pair.source.lastEventAt() ?? 0, pair.destination.lastEventAt() ?? 0);
    if (performance.now() - last < quietMs) return false;
    return (await idle(pair.source)) && (await idle(pair.destination));
  }, 'both daemons to be idle', timeoutMs, 50);
}

export async function waitUntil(condition: () => Promise<boolean> | boolean, what: string, timeoutMs: number, pollMs = 50): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await condition())) {
    if (performance.now() > deadline) throw new Error(`timed out after ${(timeoutMs / 1000).toFixed(0)} s waiting for ${what}`);
    await sleep(pollMs);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
