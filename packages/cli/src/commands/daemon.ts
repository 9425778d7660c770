import type { Command } from 'commander';
import type { ApiClient, DaemonConfig } from '@syncline/daemon';
import { mkdir } from 'node:fs/promises';
import { applyDaemonHeapSettings } from '../heap-settings.js';
import { table } from '../format.js';
import { UserError } from '../user-error.js';

interface HomeOpts {
  home?: string;
  json?: boolean;
}

// The daemon and libp2p load only for the commands that need them, so `sync` starts fast.
const daemonLib = () => import('@syncline/daemon');

const print = (json: boolean | undefined, value: unknown, text: () => string) => {
  process.stdout.write(json ? JSON.stringify(value, null, 2) + '\n' : text() + '\n');
};

/** Calls the running daemon, or changes the config file when none runs (applied at its next start). */
async function callOrEdit<T>(home: string, method: string, params: Record<string, unknown>, offline: (c: DaemonConfig) => { config: DaemonConfig; result: T }): Promise<{ result: T; live: boolean }> {
  const { ApiClient, homeFiles, loadConfig, readRuntime, saveConfig } = await daemonLib();
  if (await readRuntime(home)) {
    const client = await ApiClient.connect(home);
    try {
      return { result: await client.call<T>(method, params), live: true };
    } finally {
      client.close();
    }
  }
  const file = homeFiles(home).config;
  await mkdir(home, { recursive: true, mode: 0o700 });
  const { config, result } = offline(await loadConfig(file));
  await saveConfig(file, config);
  return { result, live: false };
}

async function withClient<T>(home: string, fn: (c: ApiClient) => Promise<T>): Promise<T> {
  const { ApiClient } = await daemonLib();
  const client = await ApiClient.connect(home);
  try {
    return await fn(client);
  } finally {
    client.close();
  }
}

const homeOption = (cmd: Command) => cmd.option('--home <dir>', 'the node home (default: $SYNCLINE_HOME or ~/.config/syncline)').option('--json', 'machine-readable output');

export function daemonCommands(program: Command): void {
  homeOption(
    program
      .command('daemon')
      .description('run a headless node in the foreground: folders, peers, watch mode, control API on 127.0.0.1 (Ctrl-C stops it)')
      .option('--listen <multiaddr...>', 'addresses to listen on (default from the config: /ip4/0.0.0.0/tcp/4001)')
      .option('--api-port <port>', 'control API and dashboard port on 127.0.0.1 (0 = any free port)')
      .option('--no-mdns', 'no LAN discovery (mDNS)'),
  ).action(async (opts: HomeOpts & { listen?: string[]; apiPort?: string; mdns: boolean }) => {
    applyDaemonHeapSettings();
    const { Daemon, readRuntime, resolveHome } = await daemonLib();
    const home = resolveHome(opts.home);
    if (await readRuntime(home)) throw new UserError(`a daemon is already running for ${home}`);
    const apiPort = opts.apiPort === undefined ? undefined : Number(opts.apiPort);
    if (apiPort !== undefined && (!Number.isInteger(apiPort) || apiPort < 0 || apiPort > 65535)) throw new UserError('--api-port takes a port number (0–65535)');
    const daemon = new Daemon({ home, ...(opts.listen ? { listen: opts.listen } : {}), ...(apiPort !== undefined ? { apiPort } : {}), ...(opts.mdns ? {} : { mdns: false }) });
    await daemon.start();
    const s = daemon.status();
    if (opts.json) process.stdout.write(JSON.stringify({ event: 'started', deviceId: s.deviceId, addresses: s.addresses, apiPort: s.apiPort }) + '\n');
    else process.stdout.write([`syncline daemon running`, `device ID: ${s.deviceId}`, ...s.addresses.map((a) => `listening: ${a}`), `control API: ws://127.0.0.1:${s.apiPort}/api`].join('\n') + '\n');
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await daemon.stop();
  });

  homeOption(program.command('id').description("print this device's ID (share it with the devices you pair with)").option('--init', 'create the identity if this home has none')).action(
    async (opts: HomeOpts & { init?: boolean }) => {
      const { readRuntime, resolveHome } = await daemonLib();
      const { deviceIdOf, loadOrCreateIdentity } = await import('@syncline/p2p');
      const home = resolveHome(opts.home);
      if (await readRuntime(home)) {
        const r = await withClient(home, (c) => c.call<{ deviceId: string; addresses: string[] }>('id'));
        print(opts.json, r, () => r.deviceId);
        return;
      }
      let deviceId = await deviceIdOf(home);
      if (!deviceId) {
        if (!opts.init) throw new UserError(`${home} has no identity yet; run \`syncline id --init\` (or start the daemon) to create one`);
        await mkdir(home, { recursive: true, mode: 0o700 });
        deviceId = (await loadOrCreateIdentity(home)).deviceId;
      }
      print(opts.json, { deviceId, addresses: [] }, () => deviceId!);
    },
  );

  homeOption(program.command('status').description('what the running daemon is doing: folders, peers, transfers')).action(async (opts: HomeOpts) => {
    const { resolveHome } = await daemonLib();
    const home = resolveHome(opts.home);
    const s = await withClient(home, (c) => c.call<{ deviceId: string; folders: { id: string; state: string; path: string }[]; peers: { deviceId: string; connected: boolean }[] }>('status'));
    print(opts.json, s, () =>
      [
        `device ${s.deviceId}`,
        `folders: ${s.folders.map((f) => `${f.id} (${f.state})`).join(', ') || 'none'}`,
        `peers: ${s.peers.map((p) => `${p.deviceId.slice(0, 12)}… ${p.connected ? 'connected' : 'offline'}`).join(', ') || 'none'}`,
      ].join('\n'),
    );
  });

  homeOption(program.command('peers').description('trusted devices and their connection state')).action(async (opts: HomeOpts) => {
    const { resolveHome } = await daemonLib();
    const peers = await withClient(resolveHome(opts.home), (c) => c.call<{ deviceId: string; name?: string; addrs: string[]; connected: boolean }[]>('peers'));
    print(opts.json, peers, () => (peers.length === 0 ? 'no peers; add one with `syncline peer add DEVICE --addr MULTIADDR`' : table(['device', 'name', 'state', 'addresses'], peers.map((p) => [p.deviceId, p.name ?? '', p.connected ? 'connected' : 'offline', p.addrs.join(' ')]))));
  });

  homeOption(program.command('folders').description('folders of the running daemon')).action(async (opts: HomeOpts) => {
    const { resolveHome } = await daemonLib();
    const s = await withClient(resolveHome(opts.home), (c) => c.call<{ folders: { id: string; path: string; state: string; devices: string[] }[]; offers: { folder: string; devices: string[] }[] }>('status'));
    const lines = [s.folders.length === 0 ? 'no folders; add one with `syncline folder add ID PATH`' : table(['id', 'state', 'path', 'shared with'], s.folders.map((f) => [f.id, f.state, f.path, f.devices.map((d) => d.slice(0, 12) + '…').join(' ')]))];
    for (const o of s.offers) lines.push(`offered: ${o.folder} by ${o.devices.join(', ')} — accept with \`syncline folder accept ${o.folder} [PATH]\``);
    print(opts.json, { folders: s.folders, offers: s.offers }, () => lines.join('\n'));
  });

  homeOption(program.command('dashboard').description("print the running daemon's dashboard URL (with its token; keep it private)")).action(async (opts: HomeOpts) => {
    const { readRuntime, readToken, homeFiles, resolveHome, DaemonNotRunningError } = await daemonLib();
    const home = resolveHome(opts.home);
    const runtime = await readRuntime(home);
    const token = await readToken(homeFiles(home).token);
    if (!runtime || !token) throw new DaemonNotRunningError(home);
    const url = `http://127.0.0.1:${runtime.apiPort}/#token=${token}`;
    print(opts.json, { url }, () => url);
  });

  const peer = program.command('peer').description('trusted devices');
  homeOption(peer.command('add').description('trust a device and connect to it').argument('<device>', 'its device ID (`syncline id` on that device)').option('--addr <multiaddr...>', 'where to reach it, e.g. /ip4/192.168.1.20/tcp/4001 or /dns4/node-b/tcp/4001').option('--name <name>', 'a name to show')).action(
    async (device: string, opts: HomeOpts & { addr?: string[]; name?: string }) => {
      const { resolveHome, withPeer } = await daemonLib();
      const home = resolveHome(opts.home);
      const p = { deviceId: device, addrs: opts.addr ?? [], ...(opts.name ? { name: opts.name } : {}) };
      const { live } = await callOrEdit(home, 'peer.add', p, (c) => ({ config: withPeer(c, p), result: p }));
      print(opts.json, { ...p, live }, () => `trusted ${device}${live ? '' : ' (daemon not running: saved to the config, used at its next start)'}`);
    },
  );

  const folder = program.command('folder').description('synced folders of the daemon');
  homeOption(folder.command('add').description('add a folder (created if missing)').argument('<id>', 'folder ID, the same on every device (e.g. photos)').argument('<path>', 'its directory on this device')).action(
    async (id: string, dir: string, opts: HomeOpts) => {
      const { resolveHome, withFolder } = await daemonLib();
      const home = resolveHome(opts.home);
      const { result, live } = await callOrEdit(home, 'folder.add', { id, path: dir }, (c) => {
        const { config, folder: f } = withFolder(c, id, dir);
        return { config, result: f };
      });
      print(opts.json, { ...(result as object), live }, () => `added folder ${id} at ${(result as { path: string }).path}${live ? '' : ' (daemon not running: saved to the config)'}`);
    },
  );
  homeOption(folder.command('accept').description('accept a folder a paired device offers (see `syncline folders`)').argument('<id>', 'folder ID').argument('[path]', 'where to keep it (default: folderRoot/<id>, ~/Syncline/<id>)')).action(
    async (id: string, dir: string | undefined, opts: HomeOpts) => {
      const { resolveHome } = await daemonLib();
      const f = await withClient(resolveHome(opts.home), (c) => c.call<{ id: string; path: string }>('folder.accept', { id, ...(dir ? { path: dir } : {}) }));
      print(opts.json, f, () => `accepted folder ${f.id} at ${f.path}`);
    },
  );
  homeOption(folder.command('share').description('share a folder with a trusted device (that device shares it back to sync)').argument('<id>', 'folder ID').argument('<device>', 'device ID')).action(
    async (id: string, device: string, opts: HomeOpts) => {
      const { resolveHome, withShare } = await daemonLib();
      const home = resolveHome(opts.home);
      const { result, live } = await callOrEdit(home, 'folder.share', { id, deviceId: device }, (c) => {
        const { config, folder: f } = withShare(c, id, device);
        return { config, result: f };
      });
      print(opts.json, { ...(result as object), live }, () => `shared folder ${id} with ${device}${live ? '' : ' (daemon not running: saved to the config)'}`);
    },
  );
}


