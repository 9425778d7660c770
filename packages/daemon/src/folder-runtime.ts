import { mkdir } from 'node:fs/promises';
import { DiskReplica, emptyTransferStats, needsContent, watchTree, type TransferStats, type TreeWatch } from '@syncline/replica';
import { runSession, type Logger, type SessionPlan } from '@syncline/engine';
import type { IncomingSync, SynclineNode } from '@syncline/p2p';
import type { FolderConfig } from './config.js';

/** A peer silent this long in a session is gone (a cut link can look alive for a minute). */
const SESSION_IDLE_TIMEOUT_MS = 20_000;

export type FolderState = 'starting' | 'idle' | 'scanning' | 'syncing' | 'error' | 'stopped';

export interface FolderStatus {
  readonly id: string;
  readonly path: string;
  readonly devices: readonly string[];
  readonly state: FolderState;
  readonly error?: string;
  readonly lastScanMs?: number;
  readonly lastSync?: { peer: string; atMs: number; applied: number };
  /** The current (or last) session's transfer. */
  readonly transfer: TransferStats;
  /** All sessions since this daemon started. */
  readonly totals: TransferStats;
}

export interface FolderEvents {
  state(status: FolderStatus): void;
  progress(folder: string, peer: string, transfer: TransferStats & { filesPlanned?: number; bytesPlanned?: number }): void;
  synced(folder: string, peer: string, applied: number, conflicts: string[], problems: { path: string; message: string }[]): void;
}

/**
 * One folder on this node: its replica, watcher and periodic rescan, and the sessions with
 * the peers it is shared with. Scans and sessions run one at a time (a promise chain), so a
 * session never sees the folder change under it. Between two nodes only the one with the
 * smaller device ID opens sessions; the other nudges it — so two nodes never wait on each other.
 */
export class FolderRuntime {
  private replica: DiskReplica | undefined;
  private watch: TreeWatch | undefined;
  private chain: Promise<void> = Promise.resolve();
  private pendingPaths: Set<string> | 'full' | undefined;
  private scanTimer: NodeJS.Timeout | undefined;
  private rescanTimer: NodeJS.Timeout | undefined;
  private readonly wantSync = new Set<string>();
  private state: FolderState = 'starting';
  private error: string | undefined;
  private lastScanMs: number | undefined;
  private lastSync: FolderStatus['lastSync'];
  private transfer = emptyTransferStats();
  private readonly totals = emptyTransferStats();
  private stopped = false;

  constructor(
    public config: FolderConfig,
    private readonly node: SynclineNode,
    private readonly events: FolderEvents,
    private readonly log: Logger,
    private readonly timing: { debounceMs: number; rescanMs: number },
  ) {}

  get id(): string {
    return this.config.id;
  }

  status(): FolderStatus {
    return {
      id: this.config.id,
      path: this.config.path,
      devices: this.config.devices,
      state: this.state,
      ...(this.error ? { error: this.error } : {}),
      ...(this.lastScanMs ? { lastScanMs: this.lastScanMs } : {}),
      ...(this.lastSync ? { lastSync: this.lastSync } : {}),
      transfer: { ...this.transfer },
      totals: { ...this.totals },
    };
  }

  /** The folder's metadata store while it runs (for behaviour settings changed through the API). */
  get store(): import('@syncline/store').Store | undefined {
    return this.replica?.store;
  }

  sharedWith(peer: string): boolean {
    return this.config.devices.includes(peer);
  }

  async start(): Promise<void> {
    await mkdir(this.config.path, { recursive: true });
    this.replica = await DiskReplica.open(this.config.path);
    this.watch = await watchTree(
      this.replica.root,
      (paths) => this.requestScan(paths),
      (err) => {
        this.log.warn({ folder: this.id, err: err.message }, 'watch error; rescanning');
        this.requestScan();
      },
    );
    this.rescanTimer = setInterval(() => this.requestScan(), this.timing.rescanMs);
    this.rescanTimer.unref();
    this.requestScan();
  }

  /** Debounced: what changed (or everything) is rescanned, then synced with every peer. */
  requestScan(paths?: readonly string[]): void {
    if (this.stopped) return;
    if (!paths || this.pendingPaths === 'full') this.pendingPaths = 'full';
    else {
      this.pendingPaths ??= new Set();
      for (const p of paths) this.pendingPaths.add(p);
    }
    if (this.scanTimer) clearTimeout(this.scanTimer);
    this.scanTimer = setTimeout(() => {
      this.scanTimer = undefined;
      void this.exclusive(() => this.scanAndSync());
    }, this.timing.debounceMs);
  }

  /** A peer connected or nudged us: sync with it (or ask it to sync with us). */
  syncWithPeer(peer: string): void {
    if (this.stopped || !this.sharedWith(peer)) return;
    if (this.node.deviceId < peer) {
      this.wantSync.add(peer);
      void this.exclusive(() => this.syncPending());
    } else {
      void this.node.nudge(peer, this.id).catch((err: Error) => this.log.debug({ folder: this.id, peer, err: err.message }, 'nudge failed'));
    }
  }

  /** Runs an incoming session (this node is the responder) in turn with scans and other sessions. */
  handleIncoming(incoming: IncomingSync): Promise<void> {
    return this.exclusive(async () => {
      const applied = await this.session(incoming.peer, () => Promise.resolve(incoming.channel), 'responder');
      if (applied) this.fanOut(incoming.peer);
      await this.syncPending();
    });
  }

  private async scanAndSync(): Promise<void> {
    const replica = this.replica;
    const paths = this.pendingPaths;
    this.pendingPaths = undefined;
    if (!replica || paths === undefined) return;
    this.setState('scanning');
    const result = await replica.scan(paths === 'full' ? {} : { paths: [...paths] });
    this.lastScanMs = Date.now();
    for (const p of result.problems) this.log.warn({ folder: this.id, path: p.path, code: p.code }, p.message);
    if (result.changed.length > 0 || paths === 'full') this.fanOut();
    await this.syncPending();
  }

  /** Asks for a sync with every connected peer sharing the folder, except `except`. */
  private fanOut(except?: string): void {
    const connected = new Set(this.node.connectedPeers());
    for (const peer of this.config.devices) {
      if (peer === except || !connected.has(peer)) continue;
      if (this.node.deviceId < peer) this.wantSync.add(peer);
      else void this.node.nudge(peer, this.id).catch(() => undefined);
    }
  }

  private async syncPending(): Promise<void> {
    while (this.wantSync.size > 0 && !this.stopped) {
      const peer = this.wantSync.values().next().value as string;
      this.wantSync.delete(peer);
      if (!this.node.connectedPeers().includes(peer)) continue;
      const applied = await this.session(peer, () => this.node.openSync(peer, this.id), 'initiator');
      if (applied) this.fanOut(peer);
    }
    if (!this.stopped && this.state !== 'error') this.setState('idle');
  }

  /** Runs one session; returns whether it changed anything here. Failures are logged, never thrown. */
  private async session(peer: string, open: () => Promise<import('@syncline/engine').Channel>, role: 'initiator' | 'responder'): Promise<boolean> {
    const replica = this.replica;
    if (!replica) return false;
    this.setState('syncing');
    this.transfer = emptyTransferStats();
    const transfer = this.transfer;
    const planned = { filesPlanned: 0, bytesPlanned: 0 };
    const seen = new Set<string>();
    const onPlanned = (plan: SessionPlan) => {
      for (const t of plan.targets) {
        if (!needsContent(t) || seen.has(t.record.hash)) continue;
        seen.add(t.record.hash);
        planned.filesPlanned++;
        planned.bytesPlanned += t.record.size;
      }
    };
    const ticker = setInterval(() => this.events.progress(this.id, peer, { ...transfer, ...planned }), 250);
    try {
      const channel = await open();
      const result = await runSession(replica, channel, { folder: this.id, role, transfer, onPlanned, idleTimeoutMs: SESSION_IDLE_TIMEOUT_MS });
      this.lastSync = { peer, atMs: Date.now(), applied: result.applied };
      this.events.progress(this.id, peer, { ...transfer, ...planned });
      this.events.synced(this.id, peer, result.applied, result.conflicts.map((c) => c.copy.path), result.problems.map((p) => ({ path: p.path, message: p.message })));
      this.error = undefined;
      return result.applied > 0 || result.nonMirrored;
    } catch (err) {
      // The other side closing (e.g. it has not accepted the folder yet) is routine; anything else is worth a warning.
      const closedByPeer = (err as { code?: string }).code === 'SYNCLINE_CHANNEL_CLOSED' || /peer closed|other side closed/.test(String((err as Error)?.message));
      this.log[closedByPeer ? 'info' : 'warn']({ folder: this.id, peer, role, err: err instanceof Error ? err.message : String(err) }, 'session ended early');
      return false;
    } finally {
      clearInterval(ticker);
      for (const k of Object.keys(transfer) as (keyof TransferStats)[]) this.totals[k] += transfer[k];
    }
  }

  private exclusive(fn: () => Promise<void>): Promise<void> {
    const run = this.chain.then(async () => {
      if (this.stopped) return;
      try {
        await fn();
      } catch (err) {
        this.error = err instanceof Error ? err.message : String(err);
        this.log.error({ folder: this.id, err: this.error }, 'folder job failed');
        this.setState('error');
      }
    });
    this.chain = run;
    return run;
  }

  private setState(state: FolderState): void {
    if (this.state === state) return;
    this.state = state;
    this.events.state(this.status());
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.scanTimer) clearTimeout(this.scanTimer);
    if (this.rescanTimer) clearInterval(this.rescanTimer);
    await this.watch?.stop().catch(() => undefined);
    await this.chain;
    await this.replica?.close();
    this.replica = undefined;
    this.state = 'stopped';
  }
}
