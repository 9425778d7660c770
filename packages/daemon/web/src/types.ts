/** What the daemon's control API sends (packages/daemon/src: daemon.ts, folder-runtime.ts, api-conflicts.ts). */

export interface TransferStats {
  bytesTransferred: number;
  bytesReused: number;
  bytesResumed: number;
  filesPrepared: number;
  /** Files and bytes the session plans to fetch, when the daemon reports them. */
  filesPlanned?: number;
  bytesPlanned?: number;
}

export type FolderState = 'starting' | 'idle' | 'scanning' | 'syncing' | 'error' | 'stopped';

export interface FolderStatus {
  id: string;
  path: string;
  devices: string[];
  state: FolderState;
  error?: string;
  lastScanMs?: number;
  lastSync?: { peer: string; atMs: number; applied: number };
  transfer: TransferStats;
  totals: TransferStats;
}

export interface PeerStatus {
  deviceId: string;
  name?: string;
  addrs: string[];
  connected: boolean;
}

export interface DaemonStatus {
  deviceId: string;
  /** The device name shown to peers, when set. */
  name?: string;
  addresses: string[];
  apiPort: number;
  folders: FolderStatus[];
  peers: PeerStatus[];
}

export interface ProgressEvent extends TransferStats {
  folder: string;
  peer: string;
}

export interface SyncedEvent {
  folder: string;
  peer: string;
  applied: number;
  conflicts: string[];
  problems: { path: string; message: string }[];
  /** Paths changed by the session, when the daemon reports them. */
  paths?: string[];
}

export interface ConflictEvent {
  folder: string;
  peer: string;
  copy: string;
}

export interface PeerEvent {
  deviceId: string;
  connected: boolean;
}

export interface ConflictsEvent {
  folder: string;
  action: ConflictAction;
  resolved: string[];
}

export type ConflictAction = 'keep-mine' | 'take-theirs' | 'keep-both';

export interface ConflictItem {
  folder: string;
  path: string;
  copy: string;
  size: number;
  mtimeMs: number;
  peer: string;
  versionMs?: number;
  kind: 'conflict-copy';
}

export interface ConflictList {
  items: ConflictItem[];
  truncated: boolean;
}

export interface ResolveResult {
  folder: string;
  action: ConflictAction;
  outcomes: { copy: string; ok: boolean; error?: string }[];
}

export interface PairCode {
  code: string;
  expiresAt: number | string;
}

/** The `pairing` event of the daemon (packages/daemon/src/pairing.ts). */
export type PairingEvent =
  | { state: 'waiting'; expiresAt: number }
  | { state: 'expired' }
  | { state: 'paired'; deviceId: string; name?: string }
  | { state: 'closed'; reason?: string }
  | { state: 'attempt-failed'; attemptsLeft: number };

export interface PairedPeer {
  deviceId: string;
  name?: string;
  addrs?: string[];
}

export interface ApiEventMap {
  pairing: PairingEvent;
  folder: FolderStatus;
  progress: ProgressEvent;
  peer: PeerEvent;
  synced: SyncedEvent;
  conflict: ConflictEvent;
  conflicts: ConflictsEvent;
}
