import { mkdir, rm } from 'node:fs/promises';
import { SynclineError } from '@syncline/core';
import { createLogger } from '@syncline/engine';
import { createNode, type SynclineNode } from '@syncline/p2p';
import { ApiServer } from './api-server.js';
import { dashboardHandler } from './dashboard-http.js';
import { writeFileAtomic } from './atomic-write.js';
import { loadConfig, saveConfig, type DaemonConfig, type FolderConfig, type PeerConfig } from './config.js';
import { withFolder, withPeer, withShare } from './config-edits.js';
import { applyEnvironment } from './env-config.js';
import { FolderRuntime } from './folder-runtime.js';
import { ensureHome, homeFiles } from './home.js';
import { loadOrCreateToken } from './token.js';

export interface DaemonOptions {
  readonly home: string;
  /** Overrides the config's listen addresses (`--listen`). */
  readonly listen?: readonly string[];
  readonly apiPort?: number;
  readonly mdns?: boolean;
}

const str = (v: unknown, what: string): string => {
  if (typeof v !== 'string' || v === '') throw new SynclineError('SYNCLINE_API_BAD_REQUEST', `${what} is required`);
  return v;
};

/**
 * A long-running node: the config's folders and peers, a libp2p node, watch mode on every
 * folder, and the control API on 127.0.0.1. start() stops what it started if it fails;
 * stop() is idempotent and leaves no timers, sockets or open databases.
 */
export class Daemon {
  private config!: DaemonConfig;
  private node: SynclineNode | undefined;
  private api: ApiServer | undefined;
  private readonly folders = new Map<string, FolderRuntime>();
  private readonly log = createLogger('syncline-daemon', process.env.SYNCLINE_LOG ?? 'info');
  private stopped = false;
  apiPort = 0;

  constructor(private readonly options: DaemonOptions) {}

  get deviceId(): string {
    return this.node?.deviceId ?? '';
  }

  async start(): Promise<void> {
    try {
      await this.startParts();
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  private async startParts(): Promise<void> {
    const { home } = this.options;
    const files = homeFiles(home);
    await ensureHome(home);
    this.config = applyEnvironment(await loadConfig(files.config), process.env);
    const token = await loadOrCreateToken(files.token);
    const node = await createNode({
      home,
      listen: this.options.listen ?? this.config.listen,
      mdns: this.options.mdns ?? this.config.mdns,
      isTrusted: (id) => this.config.peers.some((p) => p.deviceId === id),
    });
    this.node = node;
    node.handleSync(async (incoming) => {
      const folder = this.folders.get(incoming.folder);
      if (!folder || !folder.sharedWith(incoming.peer)) {
        this.log.warn({ peer: incoming.peer, folder: incoming.folder }, 'refused a sync for a folder not shared with that peer');
        incoming.channel.close(`folder "${incoming.folder}" is not shared with this device`);
        return;
      }
      await folder.handleIncoming(incoming);
    });
    node.handleNudge((peer, folder) => this.folders.get(folder)?.syncWithPeer(peer));
    node.onPeerConnected((peer) => {
      this.api?.broadcast('peer', { deviceId: peer, connected: true });
      for (const f of this.folders.values()) f.syncWithPeer(peer);
    });
    node.onPeerDisconnected((peer) => this.api?.broadcast('peer', { deviceId: peer, connected: false }));
    await node.start();

    this.api = new ApiServer(token, dashboardHandler());
    this.registerMethods(this.api);
    this.apiPort = await this.api.listen(this.options.apiPort ?? this.config.apiPort);

    for (const f of this.config.folders) await this.startFolder(f);
    for (const p of this.config.peers) if (p.addrs.length > 0) node.keepConnected(p.deviceId, p.addrs);
    await writeFileAtomic(files.runtime, JSON.stringify({ pid: process.pid, apiPort: this.apiPort, deviceId: node.deviceId }) + '\n');
    this.log.info({ deviceId: node.deviceId, addresses: node.addresses(), api: `127.0.0.1:${this.apiPort}`, folders: this.config.folders.length }, 'daemon started');
  }

  private async startFolder(config: FolderConfig): Promise<void> {
    const runtime = new FolderRuntime(
      config,
      this.node!,
      {
        state: (status) => this.api?.broadcast('folder', status),
        progress: (folder, peer, transfer) => this.api?.broadcast('progress', { folder, peer, ...transfer }),
        synced: (folder, peer, applied, conflicts, problems) => {
          this.api?.broadcast('synced', { folder, peer, applied, conflicts, problems });
          for (const c of conflicts) this.api?.broadcast('conflict', { folder, peer, copy: c });
        },
      },
      this.log,
      { debounceMs: this.config.debounceMs, rescanMs: this.config.rescanMs },
    );
    this.folders.set(config.id, runtime);
    await runtime.start();
  }

  private async updateConfig(change: (c: DaemonConfig) => DaemonConfig): Promise<void> {
    this.config = change(this.config);
    await saveConfig(homeFiles(this.options.home).config, this.config);
  }

  status() {
    const node = this.node!;
    const connected = new Set(node.connectedPeers());
    return {
      deviceId: node.deviceId,
      addresses: node.addresses(),
      apiPort: this.apiPort,
      folders: [...this.folders.values()].map((f) => f.status()),
      peers: this.config.peers.map((p) => ({ ...p, connected: connected.has(p.deviceId) })),
    };
  }

  private registerMethods(api: ApiServer): void {
    api.method('id', async () => ({ deviceId: this.node!.deviceId, addresses: this.node!.addresses() }));
    api.method('status', async () => this.status());
    api.method('peers', async () => this.status().peers);
    api.method('folders', async () => this.status().folders);
    api.method('peer.add', async (p) => {
      const peer: PeerConfig = {
        deviceId: str(p.deviceId, 'deviceId'),
        addrs: Array.isArray(p.addrs) ? p.addrs.map((a) => str(a, 'addr')) : [],
        ...(typeof p.name === 'string' ? { name: p.name } : {}),
      };
      await this.updateConfig((c) => withPeer(c, peer, this.node!.deviceId));
      if (peer.addrs.length > 0) this.node!.keepConnected(peer.deviceId, peer.addrs);
      return peer;
    });
    api.method('folder.add', async (p) => {
      const { config, folder } = withFolder(this.config, str(p.id, 'folder id'), str(p.path, 'path'));
      await mkdir(folder.path, { recursive: true });
      await this.updateConfig(() => config);
      await this.startFolder(folder);
      return folder;
    });
    api.method('folder.share', async (p) => {
      const device = str(p.deviceId, 'deviceId');
      const { config, folder } = withShare(this.config, str(p.id, 'folder id'), device);
      await this.updateConfig(() => config);
      const runtime = this.folders.get(folder.id)!;
      runtime.config = folder;
      runtime.syncWithPeer(device);
      return folder;
    });
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.node?.stop().catch((err: Error) => this.log.warn({ err: err.message }, 'node stop failed'));
    for (const f of this.folders.values()) await f.stop().catch((err: Error) => this.log.warn({ folder: f.id, err: err.message }, 'folder stop failed'));
    await this.api?.stop();
    await rm(homeFiles(this.options.home).runtime, { force: true });
    this.log.info('daemon stopped');
  }
}
