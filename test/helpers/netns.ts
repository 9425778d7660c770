/**
 * Syncline hosts made of Linux network namespaces, driven through scripts/netns-cluster: each
 * host runs docker/entrypoint.sh with the environment docker/compose.yml (plus the Dockerfile's
 * ENV) gives its container, /config and /data mapped to directories of a temp dir.
 */
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, chown, lstat, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { REPO_ROOT } from './cli.js';
import { parseEnvFile, readCompose, readDockerfile, execForm, serviceEnvironment, stageEnv, volumeTargets } from './netns-docker-files.js';
import { tempDir } from './tmp.js';

export const NETNS_CLUSTER = path.join(REPO_ROOT, 'scripts/netns-cluster');

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion (no shell); never rejects on a non-zero exit. */
export function run(command: string, args: readonly string[], options: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...options.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      stderr += `\n[killed after ${options.timeoutMs} ms]`;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 300_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : -1), stdout, stderr });
    });
  });
}

/** Whether a command is on the PATH. */
export const hasTool = (tool: string) => new Promise<boolean>((resolve) => execFile('sh', ['-c', `command -v '${tool}'`], (err) => resolve(!err)));

let aptUpdated = false;
/** apt-get install, as the test setup of a fresh CI machine must (apt-get update once first). */
export async function aptInstall(packages: readonly string[]): Promise<boolean> {
  if (process.getuid?.() !== 0 || !(await hasTool('apt-get'))) return false;
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  if (!aptUpdated) {
    aptUpdated = (await run('apt-get', ['update', '-qq'], { env, timeoutMs: 240_000 })).code === 0;
  }
  return (await run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], { env, timeoutMs: 300_000 })).code === 0;
}

/**
 * Why the namespace tests cannot run here, or undefined when they can: they need Linux, root
 * and iproute2 (installed when missing); tini (as in the image) is installed when possible.
 */
export async function netnsPrerequisites(): Promise<string | undefined> {
  if (process.platform !== 'linux') return 'network namespaces need Linux';
  if (process.getuid?.() !== 0) return 'needs root for ip netns, veth pairs and /etc/netns (CI runs as root)';
  if (!(await hasTool('ip')) && !(await aptInstall(['iproute2']))) return 'needs ip (iproute2), which is missing and could not be installed';
  if (!(await hasTool('tini'))) await aptInstall(['tini']); // optional: without it the entrypoint runs without an init
  const probe = `slcprobe-${process.pid}`;
  const add = await run('ip', ['netns', 'add', probe]);
  await run('ip', ['netns', 'del', probe]);
  if (add.code !== 0) return `this machine refuses network namespaces: ${add.stderr.trim()}`;
  return undefined;
}

/** Names of the network namespaces `ip netns list` shows. */
export async function listNamespaces(): Promise<string[]> {
  const r = await run('ip', ['netns', 'list']);
  return r.stdout
    .split('\n')
    .map((l) => l.split(' ')[0]!)
    .filter(Boolean);
}

/** PIDs of the processes whose command line mentions `text` (e.g. a cluster's directory). */
export async function processesMentioning(text: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(text)) pids.push(Number(entry));
  }
  return pids;
}

/** Polls `cond` until it holds, or fails after the deadline, saying what `explain` sees then. */
export async function pollUntil(
  cond: () => Promise<boolean> | boolean,
  what: string,
  { timeoutMs = 60_000, intervalMs = 100, explain }: { timeoutMs?: number; intervalMs?: number; explain?: () => Promise<string> } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${explain ? `\n${await explain()}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** What differs between two trees (path: hash prefixes), for failure messages. */
export function treeDifference(names: [string, string], a: Map<string, string>, b: Map<string, string>, limit = 12): string {
  const lines: string[] = [];
  for (const p of new Set([...a.keys(), ...b.keys()])) {
    if (a.get(p) !== b.get(p)) lines.push(`  ${p}: ${names[0]}=${a.get(p)?.slice(0, 8) ?? '-'} ${names[1]}=${b.get(p)?.slice(0, 8) ?? '-'}`);
  }
  return lines.length === 0 ? `${names.join(' and ')} hold the same ${a.size} files` : [`${names.join(' vs ')}: ${lines.length} paths differ`, ...lines.slice(0, limit)].join('\n');
}

/** Replaces container paths (/config, /data…) by the host's directories, wherever a value holds one. */
function mapPaths(value: string, mounts: Record<string, string>): string {
  let out = value;
  for (const [inContainer, onHost] of Object.entries(mounts)) {
    const escaped = inContainer.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    out = out.replace(new RegExp(`(^|[=,])${escaped}(?=/|,|$)`, 'g'), `$1${onHost}`);
  }
  return out;
}

export class NetnsCluster {
  private isDown = false;

  private constructor(
    readonly dir: string,
    /** Prefix of every namespace of this cluster. */
    readonly id: string,
    readonly hosts: readonly string[],
    readonly deviceIds: Readonly<Record<string, string>>,
    /** UID:GID the nodes run as, like the image's USER, or undefined for root. */
    readonly user: string | undefined,
    private readonly cleanupDir: () => Promise<void>,
  ) {}

  /** Makes the hosts and their identities (`netns-cluster up N DIR --no-start`); nodes not started. */
  static async up(hostCount: number, options: { user?: string } = {}): Promise<NetnsCluster> {
    const { dir, cleanup } = await tempDir('syncline-netns-');
    await chmod(dir, 0o755); // the nodes may run as an unprivileged user
    const args = ['up', String(hostCount), dir, '--no-start', ...(options.user ? ['--user', options.user] : [])];
    const r = await run(NETNS_CLUSTER, args, { timeoutMs: 180_000 });
    const state = await readFile(path.join(dir, 'cluster.env'), 'utf8').catch(() => '');
    const id = /^CLUSTER_ID=(\S+)$/m.exec(state)?.[1];
    if (r.code !== 0 || !id) {
      if (id) await run(NETNS_CLUSTER, ['-C', dir, 'down']);
      await cleanup();
      throw new Error(`netns-cluster up failed (${r.code}):\n${r.stderr}`);
    }
    const env = parseEnvFile(await readFile(path.join(dir, '.env'), 'utf8'));
    const hosts = Array.from({ length: hostCount }, (_, i) => `node-${String.fromCharCode(97 + i)}`);
    const deviceIds = Object.fromEntries(hosts.map((h) => [h, env[`SYNCLINE_ID_${h.slice(5).toUpperCase()}`]!]));
    return new NetnsCluster(dir, id, hosts, deviceIds, options.user, cleanup);
  }

  /** Whether an unprivileged user can run the CLI from this checkout (it is the image's USER). */
  static async canRunAs(user: string): Promise<boolean> {
    const [uid, gid] = user.split(':');
    const files = [path.join(REPO_ROOT, 'packages/cli/src/bin.ts'), path.join(REPO_ROOT, 'node_modules/tsx/dist/loader.mjs')];
    const r = await run('setpriv', [`--reuid=${uid}`, `--regid=${gid}`, '--clear-groups', 'sh', '-c', files.map((f) => `test -r '${f}'`).join(' && ')]);
    return r.code === 0;
  }

  home(host: string): string {
    return path.join(this.dir, host, 'config');
  }

  data(host: string): string {
    return path.join(this.dir, host, 'data');
  }

  logs(host: string): Promise<{ stdout: string; stderr: string }> {
    const read = (f: string) => readFile(path.join(this.dir, host, f), 'utf8').catch(() => '');
    return Promise.all([read('stdout.log'), read('stderr.log')]).then(([stdout, stderr]) => ({ stdout, stderr }));
  }

  /** Container path → this host's directory, from the compose service's volumes. */
  private mounts(host: string, targets: readonly string[]): Record<string, string> {
    const known: Record<string, string> = { '/config': this.home(host), '/data': this.data(host) };
    for (const t of targets) if (!known[t]) throw new Error(`compose mounts ${t} on ${host}; the netns hosts know only /config and /data`);
    return known;
  }

  /**
   * The environment of compose's container for `host`: the Dockerfile's ENV, then the service's
   * `environment:` interpolated with the device IDs in DIR/.env (what docker/init-env.sh writes),
   * container paths mapped to the host's directories.
   */
  async composeEnvironment(host: string): Promise<Record<string, string>> {
    const [compose, { final }, dotEnv] = await Promise.all([readCompose(), readDockerfile(), readFile(path.join(this.dir, '.env'), 'utf8')]);
    const service = compose.services[host];
    if (!service) throw new Error(`docker/compose.yml has no service ${host}`);
    const mounts = this.mounts(host, volumeTargets(service));
    const env = { ...stageEnv(final), ...serviceEnvironment(service, parseEnvFile(dotEnv)) };
    return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, mapPaths(v, mounts)]));
  }

  /** Writes the environment `start` gives the host (DIR/<host>/environment). */
  async setEnvironment(host: string, env: Record<string, string>): Promise<void> {
    const lines = Object.entries(env).map(([k, v]) => {
      if (/[\n\0]/.test(v)) throw new Error(`${k}: a value with a newline cannot be passed`);
      return `${k}=${v}`;
    });
    await writeFile(path.join(this.dir, host, 'environment'), lines.join('\n') + '\n');
  }

  async useComposeEnvironment(): Promise<void> {
    for (const host of this.hosts) await this.setEnvironment(host, await this.composeEnvironment(host));
  }

  /** The image's HEALTHCHECK command, with container paths mapped for `host`. */
  async healthcheckCommand(host: string): Promise<string[]> {
    const { final } = await readDockerfile();
    const hc = final.instructions.find((i) => i.keyword === 'HEALTHCHECK');
    if (!hc) throw new Error('the Dockerfile has no HEALTHCHECK');
    const cmd = execForm(hc.args.replace(/^(--\S+\s+)*/, ''), 'HEALTHCHECK');
    const mounts = this.mounts(host, []);
    return cmd.map((a) => mapPaths(a, mounts));
  }

  private async script(args: string[], timeoutMs = 180_000): Promise<RunResult> {
    return run(NETNS_CLUSTER, ['-C', this.dir, ...args], { timeoutMs });
  }

  /** Starts the hosts' nodes (at once) and waits until each daemon listens. */
  async start(...hosts: string[]): Promise<void> {
    const results = await Promise.all(hosts.map((h) => this.script(['start', h])));
    const failed = results.map((r, i) => ({ r, host: hosts[i]! })).filter(({ r }) => r.code !== 0);
    if (failed.length > 0) throw new Error(failed.map(({ r, host }) => `${host} did not start (${r.code}):\n${r.stderr}`).join('\n'));
  }

  /** Sends the signal and waits; resolves with the node's exit status (through tini, as in the image). */
  async stop(host: string, signal = 'TERM'): Promise<number> {
    const r = await this.script(['stop', host, signal]);
    const m = /exited with status (\d+)/.exec(r.stderr);
    if (!m) throw new Error(`netns-cluster stop ${host} ${signal}: ${r.stderr}`);
    return Number(m[1]);
  }

  /** Runs a command on the host, as `docker compose exec` would. */
  exec(host: string, command: readonly string[], timeoutMs = 60_000): Promise<RunResult> {
    return this.script(['exec', host, ...command], timeoutMs);
  }

  async link(host: string, state: 'up' | 'down'): Promise<void> {
    const r = await this.script(['link', host, state]);
    if (r.code !== 0) throw new Error(`netns-cluster link ${host} ${state}: ${r.stderr}`);
  }

  /** Limits the host's link both ways (tc tbf), or 'off'; false when the kernel has no tbf. */
  async shape(host: string, rate: string): Promise<boolean> {
    return (await this.script(['shape', host, rate])).code === 0;
  }

  /** This cluster's namespaces that still exist. */
  async namespaces(): Promise<string[]> {
    return (await listNamespaces()).filter((n) => n.startsWith(`${this.id}-`));
  }

  /** Stops every node, removes the namespaces and the temp dir; idempotent. */
  async down(): Promise<RunResult> {
    if (this.isDown) return { code: 0, stdout: '', stderr: '' };
    this.isDown = true;
    const r = await this.script(['down']);
    await this.cleanupDir();
    return r;
  }

  /** Gives a path the test created to the nodes' user (the owner of the volumes in the image). */
  async own(file: string): Promise<void> {
    if (!this.user) return;
    const [uid, gid] = this.user.split(':').map(Number) as [number, number];
    await chown(file, uid, gid);
  }

  /** Writes a file inside a host's data dir as the nodes' user would own it, directories included. */
  async writeFile(file: string, content: string | Buffer): Promise<void> {
    const dirs: string[] = [];
    for (let d = path.dirname(file); !(await exists(d)); d = path.dirname(d)) dirs.unshift(d);
    for (const d of dirs) {
      await mkdir(d);
      await this.own(d);
    }
    await writeFile(file, content);
    await this.own(file);
  }
}

async function exists(p: string): Promise<boolean> {
  return lstat(p).then(
    () => true,
    () => false,
  );
}

export const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

/** Relative paths of the files under root (not directories), .syncline excluded unless asked. */
export async function listFiles(root: string, options: { includeMeta?: boolean } = {}, rel = ''): Promise<string[]> {
  const out: string[] = [];
  let entries;
  try {
    entries = await readdir(path.join(root, rel), { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (!options.includeMeta && r === '.syncline') continue;
    if (e.isDirectory()) out.push(...(await listFiles(root, options, r)));
    else out.push(r);
  }
  return out.sort();
}

/** path → sha256 of every file under root (.syncline excluded). */
export async function fileHashes(root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const f of await listFiles(root)) {
    const content = await readFile(path.join(root, f)).catch(() => undefined);
    if (content) out.set(f, sha256(content));
  }
  return out;
}

export function sameHashes(a: Map<string, string>, b: Map<string, string>): boolean {
  return a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);
}

/** sha256 of every file in a replica's trash (`<root>/.syncline/trash/<bucket>/<path>`). */
export async function trashHashes(root: string): Promise<Set<string>> {
  const trash = path.join(root, '.syncline', 'trash');
  const out = new Set<string>();
  for (const f of await listFiles(trash, { includeMeta: true })) {
    const content = await readFile(path.join(trash, f)).catch(() => undefined);
    if (content) out.add(sha256(content));
  }
  return out;
}
