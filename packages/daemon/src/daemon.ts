import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { SynclineError } from '@syncline/core';
import { createLogger } from '@syncline/engine';
import { createNode, type SynclineNode } from '@syncline/p2p';
import { ApiServer } from './api-server.js';
import { registerConflictMethods } from './api-conflicts.js';
import { dashboardHandler } from './dashboard-http.js';
import { writeFileAtomic } from './atomic-write.js';
import { FOLDER_ID_RE, loadConfig, saveConfig, type DaemonConfig, type FolderConfig, type PeerConfig } from './config.js';
import { Pairing } from './pairing.js';
import { withFolder, withPeer, withShare } from './config-edits.js';
import { applyEnvironment } from './env-config.js';
import { FolderRuntime } from './folder-runtime.js';
import { ensureHome, homeFiles } from './home.js';
import { loadOrCreateToken } from './token.js';

/** Folder settings the control API may read and change (behaviours and the ask queue). */
const SETTINGS_KEYS = new Set(['behaviours', 'attachments', 'askQueue', 'dismissedConflictCopies']);

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
  private pairing: Pairing | undefined;
  /** Folders paired devices offered that are not here yet: folder ID → offering devices. */
  private readonly offers = new Map<string, Set<string>>();
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
      isPairing: () => this.pairing?.isOpen() ?? false,
    });
    this.node = node;
    this.pairing = new Pairing({
      node,
      name: () => this.config.name,
      trust: (peer) => this.trustPeer({ deviceId: peer.deviceId, addrs: peer.addrs, ...(peer.name ? { name: peer.name } : {}) }),
      event: (name, data) => this.api?.broadcast(name, data),
      log: this.log,
      ttlMs: this.config.pairingTtlMs,
    });
    node.handlePair((peer, channel) => this.pairing!.handle(peer, channel));
    node.handleOffer((peer, offer) => void this.receiveOffer(peer, offer));
    node.handleSync(async (incoming) => {
      const folder = this.folders.get(incoming.folder);
      if (!folder || !folder.sharedWith(incoming.peer)) {
        this.log.info({ peer: incoming.peer, folder: incoming.folder }, 'refused a sync for a folder not shared with that peer (yet)');
        incoming.channel.close(`folder "${incoming.folder}" is not shared with this device`);
        return;
      }
      await folder.handleIncoming(incoming);
    });
    node.handleNudge((peer, folder) => this.folders.get(folder)?.syncWithPeer(peer));
    node.onPeerConnected((peer) => {
      this.api?.broadcast('peer', { deviceId: peer, connected: true });
      for (const f of this.folders.values()) {
        if (!f.sharedWith(peer)) continue;
        this.offer(peer, f.id);
        f.syncWithPeer(peer);
      }
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

  private async trustPeer(peer: PeerConfig): Promise<void> {
    await this.updateConfig((c) => withPeer(c, peer, this.node!.deviceId));
    if (peer.addrs.length > 0) this.node!.keepConnected(peer.deviceId, peer.addrs);
    this.api?.broadcast('peer', { deviceId: peer.deviceId, connected: this.node!.connectedPeers().includes(peer.deviceId), trusted: true });
  }

  /** Tells a device that a folder is shared with it (it accepts, or auto-accepts, on its side). */
  private offer(peer: string, folder: string): void {
    if (!this.node!.connectedPeers().includes(peer)) return;
    this.node!.sendOffer(peer, { folder, name: this.config.name }).catch((err: Error) => this.log.debug({ peer, folder, err: err.message }, 'offer not delivered'));
  }

  private async receiveOffer(peer: string, offer: unknown): Promise<void> {
    const folder = (offer as { folder?: unknown } | null)?.folder;
    if (typeof folder !== 'string' || !FOLDER_ID_RE.test(folder)) {
      this.log.warn({ peer }, 'ignored a malformed folder offer');
      return;
    }
    const existing = this.folders.get(folder);
    if (existing?.sharedWith(peer)) return;
    if (this.config.autoAcceptFolders) {
      await this.acceptFolder(folder, undefined, peer).catch((err: Error) => this.log.warn({ peer, folder, err: err.message }, 'could not accept an offered folder'));
      return;
    }
    const from = this.offers.get(folder) ?? new Set<string>();
    from.add(peer);
    this.offers.set(folder, from);
    this.log.info({ peer, folder }, 'a device offers a folder: accept it with `syncline folder accept`');
    this.api?.broadcast('offer', { folder, deviceId: peer });
  }

  /** Accepts an offered folder: creates it (at `dir`, or under folderRoot) and shares it back. */
  private async acceptFolder(id: string, dir: string | undefined, fromPeer?: string): Promise<FolderConfig> {
    const devices = fromPeer ? [fromPeer] : [...(this.offers.get(id) ?? [])];
    if (devices.length === 0) throw new SynclineError('SYNCLINE_NO_OFFER', `no device offers a folder "${id}"; ask it to run \`syncline folder share ${id} ${this.node!.deviceId}\``);
    let runtime = this.folders.get(id);
    if (!runtime) {
      const { config, folder } = withFolder(this.config, id, dir ?? path.join(this.config.folderRoot, id));
      await mkdir(folder.path, { recursive: true });
      await this.updateConfig(() => config);
      await this.startFolder(folder);
      runtime = this.folders.get(id)!;
    }
    for (const device of devices) {
      const { config, folder } = withShare(this.config, id, device);
      await this.updateConfig(() => config);
      runtime.config = folder;
      runtime.syncWithPeer(device);
    }
    this.offers.delete(id);
    this.api?.broadcast('folder', runtime.status());
    return runtime.config;
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
      offers: [...this.offers].map(([folder, from]) => ({ folder, devices: [...from] })),
      name: this.config.name,
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
      await this.trustPeer(peer);
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
      this.offer(device, folder.id);
      runtime.syncWithPeer(device);
      return folder;
    });
    api.method('folder.accept', async (p) => this.acceptFolder(str(p.id, 'folder id'), typeof p.path === 'string' && p.path ? path.resolve(p.path) : undefined));
    // Behaviour settings of a running folder (its store is held by this daemon): only these keys.
    const folderStore = (p: Record<string, unknown>) => {
      const dir = path.resolve(str(p.path, 'path'));
      const f = [...this.folders.values()].find((x) => path.resolve(x.config.path) === dir);
      if (!f?.store) throw new SynclineError('SYNCLINE_NO_FOLDER', `${dir} is not a folder of this daemon`);
      return f.store;
    };
    const metaKey = (p: Record<string, unknown>) => {
      const key = str(p.key, 'key');
      if (!SETTINGS_KEYS.has(key)) throw new SynclineError('SYNCLINE_API_BAD_REQUEST', `"${key}" is not a folder setting`);
      return key;
    };
    api.method('folder.meta.get', async (p) => ({ value: (await folderStore(p).getMeta(metaKey(p))) ?? null }));
    api.method('folder.meta.set', async (p) => {
      await folderStore(p).setMeta(metaKey(p), p.value === null ? undefined : p.value);
      return true;
    });
    api.method('folder.replicaId', async (p) => folderStore(p).replicaId);
    api.method('pair.start', async () => this.pairing!.start());
    api.method('pair.cancel', async () => this.pairing!.cancel());
    api.method('pair.join', async (p) => this.pairing!.join(str(p.code, 'code'), typeof p.addr === 'string' && p.addr ? p.addr : undefined));
    api.method('invite.create', async (p) => this.pairing!.createInvite(typeof p.ttlMs === 'number' && p.ttlMs > 0 ? p.ttlMs : 24 * 3600_000));
    api.method('invite.join', async (p) => this.pairing!.joinInvite(str(p.token, 'token')));
    registerConflictMethods(api, () => this.folders);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.pairing?.stop();
    await this.node?.stop().catch((err: Error) => this.log.warn({ err: err.message }, 'node stop failed'));
    for (const f of this.folders.values()) await f.stop().catch((err: Error) => this.log.warn({ folder: f.id, err: err.message }, 'folder stop failed'));
    await this.api?.stop();
    await rm(homeFiles(this.options.home).runtime, { force: true });
    this.log.info('daemon stopped');
  }
}
