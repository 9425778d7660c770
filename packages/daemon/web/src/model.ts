import { shortId } from './format.js';
import { RateMeter } from './rates.js';
import type { ConflictEvent, ConflictsEvent, DaemonStatus, FolderStatus, PairingEvent, PeerEvent, PeerStatus, ProgressEvent, SyncedEvent, TransferStats } from './types.js';

export interface FolderView {
  readonly status: FolderStatus;
  /** The running session's counters (from progress events), until it ends. */
  readonly live: { readonly peer: string; readonly stats: TransferStats } | undefined;
  /** Received bytes per second, all of this folder's sessions. */
  readonly rate: number;
}

export interface PeerView extends PeerStatus {
  /** Received bytes per second from this peer, all folders. */
  readonly rate: number;
}

export type FeedKind = 'sync' | 'conflict' | 'problem' | 'peer' | 'resolved' | 'folder' | 'pairing';

export interface FeedEntry {
  readonly id: number;
  readonly atMs: number;
  readonly kind: FeedKind;
  readonly text: string;
  readonly paths?: readonly string[];
  /** A device whose connection the entry reports: a quick reconnect replaces the entry instead of adding one. */
  readonly subject?: string;
}

/** What an event changed beyond the model itself. */
export interface EventEffects {
  /** The conflicts list may have changed: fetch it again. */
  readonly conflicts: boolean;
  /** A peer the model does not know: fetch the peers again. */
  readonly peers: boolean;
}

const FEED_LENGTH = 60;
const FEED_PATHS = 5;
const NONE: EventEffects = { conflicts: false, peers: false };

const RESOLVED_TEXT = { 'keep-mine': 'kept this device’s versions', 'take-theirs': 'took the other versions', 'keep-both': 'kept both versions' } as const;

/**
 * Everything the dashboard shows, kept up to date from the daemon's status and events.
 * Plain data and no DOM, so the tests can drive it.
 */
export class DashboardModel {
  deviceId = '';
  deviceName = '';
  addresses: readonly string[] = [];
  private readonly folderMap = new Map<string, { status: FolderStatus; live: FolderView['live'] }>();
  private readonly peerMap = new Map<string, PeerStatus>();
  private feedEntries: FeedEntry[] = [];
  private nextFeedId = 1;
  private readonly rates = new RateMeter();

  constructor(private readonly now: () => number = () => Date.now()) {}

  get folders(): FolderView[] {
    return [...this.folderMap.values()].map(({ status, live }) => ({ status, live, rate: this.rates.total((k) => k.startsWith(`${status.id}\u0000`)) }));
  }

  get peers(): PeerView[] {
    return [...this.peerMap.values()].map((p) => ({ ...p, rate: this.rates.total((k) => k.endsWith(`\u0000${p.deviceId}`)) }));
  }

  get feed(): readonly FeedEntry[] {
    return this.feedEntries;
  }

  peerName(deviceId: string): string {
    return this.peerMap.get(deviceId)?.name || shortId(deviceId);
  }

  /** The full state, on connect and reconnect. Live counters of sessions that ended meanwhile are dropped. */
  loadStatus(status: DaemonStatus): void {
    this.deviceId = status.deviceId;
    this.deviceName = status.name ?? '';
    this.addresses = status.addresses;
    const live = new Map([...this.folderMap].map(([id, f]) => [id, f.live]));
    this.folderMap.clear();
    for (const f of status.folders) this.folderMap.set(f.id, { status: f, live: f.state === 'syncing' ? live.get(f.id) : undefined });
    this.loadPeers(status.peers);
  }

  loadPeers(peers: readonly PeerStatus[]): void {
    this.peerMap.clear();
    for (const p of peers) this.peerMap.set(p.deviceId, p);
  }

  addFolder(status: FolderStatus): void {
    if (!this.folderMap.has(status.id)) this.note('folder', `Folder ${status.id} added at ${status.path}`);
    this.folderMap.set(status.id, { status, live: this.folderMap.get(status.id)?.live });
  }

  /** Adds an entry; `replaces` names a subject (a device) whose newest entry, if it is the latest, this one replaces. */
  note(kind: FeedKind, text: string, paths?: readonly string[], replaces?: string): void {
    const entry: FeedEntry = { id: this.nextFeedId++, atMs: this.now(), kind, text, ...(paths && paths.length > 0 ? { paths: paths.slice(0, FEED_PATHS) } : {}), ...(replaces ? { subject: replaces } : {}) };
    const [latest, ...rest] = this.feedEntries;
    const older = replaces !== undefined && latest?.subject === replaces ? rest : this.feedEntries;
    this.feedEntries = [entry, ...older].slice(0, FEED_LENGTH);
  }

  /** Applies one pushed event; returns what else needs fetching. */
  apply(event: string, data: unknown): EventEffects {
    switch (event) {
      case 'folder':
        return this.onFolder(data as FolderStatus);
      case 'progress':
        return this.onProgress(data as ProgressEvent);
      case 'synced':
        return this.onSynced(data as SyncedEvent);
      case 'conflict':
        return this.onConflict(data as ConflictEvent);
      case 'conflicts':
        return this.onConflictsResolved(data as ConflictsEvent);
      case 'peer':
        return this.onPeer(data as PeerEvent);
      case 'pairing':
        return this.onPairing(data as PairingEvent);
      default:
        return NONE;
    }
  }

  private onFolder(status: FolderStatus): EventEffects {
    const known = this.folderMap.get(status.id);
    if (!known) this.note('folder', `Folder ${status.id} added at ${status.path}`);
    const ended = status.state !== 'syncing';
    if (ended) this.rates.resetWhere((k) => k.startsWith(`${status.id}\u0000`));
    this.folderMap.set(status.id, { status, live: ended ? undefined : known?.live });
    // A folder just added may already hold conflict copies.
    return known ? NONE : { conflicts: true, peers: false };
  }

  private onProgress(p: ProgressEvent): EventEffects {
    const f = this.folderMap.get(p.folder);
    if (!f) return NONE;
    const { folder, peer, ...stats } = p;
    this.rates.update(`${folder}\u0000${peer}`, stats.bytesTransferred, this.now());
    this.folderMap.set(folder, { status: { ...f.status, state: f.status.state === 'idle' ? 'syncing' : f.status.state }, live: { peer, stats } });
    return NONE;
  }

  private onSynced(s: SyncedEvent): EventEffects {
    this.rates.reset(`${s.folder}\u0000${s.peer}`);
    const f = this.folderMap.get(s.folder);
    if (f) {
      const transfer = f.live?.peer === s.peer ? f.live.stats : f.status.transfer;
      this.folderMap.set(s.folder, { status: { ...f.status, transfer, lastSync: { peer: s.peer, atMs: this.now(), applied: s.applied } }, live: undefined });
    }
    if (s.applied > 0) this.note('sync', `${s.folder}: ${s.applied.toLocaleString()} ${s.applied === 1 ? 'change' : 'changes'} from ${this.peerName(s.peer)}`, s.paths);
    if (s.problems.length > 0) {
      this.note('problem', `${s.folder}: ${s.problems.length} ${s.problems.length === 1 ? 'file' : 'files'} could not be synced`, s.problems.map((p) => `${p.path}: ${p.message}`));
    }
    return { conflicts: s.applied > 0 || s.conflicts.length > 0, peers: false };
  }

  private onConflict(c: ConflictEvent): EventEffects {
    this.note('conflict', `${c.folder}: conflicting edits with ${this.peerName(c.peer)}; the other version is kept as a copy`, [c.copy]);
    return { conflicts: true, peers: false };
  }

  private onConflictsResolved(c: ConflictsEvent): EventEffects {
    const n = c.resolved.length;
    this.note('resolved', `${c.folder}: ${n} ${n === 1 ? 'conflict' : 'conflicts'} resolved, ${RESOLVED_TEXT[c.action] ?? c.action}`, c.resolved);
    return { conflicts: true, peers: false };
  }

  private onPairing(e: PairingEvent): EventEffects {
    if (e.state !== 'paired') return NONE;
    this.note('pairing', `Paired with ${e.name || shortId(e.deviceId)}`);
    return { conflicts: false, peers: true };
  }

  private onPeer(e: PeerEvent): EventEffects {
    const p = this.peerMap.get(e.deviceId);
    if (!p) return { conflicts: false, peers: true };
    if (p.connected !== e.connected) this.note('peer', `${this.peerName(e.deviceId)} ${e.connected ? 'connected' : 'disconnected'}`, undefined, e.deviceId);
    this.peerMap.set(e.deviceId, { ...p, connected: e.connected });
    if (!e.connected) this.rates.resetWhere((k) => k.endsWith(`\u0000${e.deviceId}`));
    return NONE;
  }
}
