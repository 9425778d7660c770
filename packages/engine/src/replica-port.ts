import type { FileRecord, Hlc } from '@syncline/core';
import type { ApplyResult, ChunkRequest, ChunkSource, PreparedFiles, TargetState, TransferStats } from '@syncline/replica';
import type { Store } from '@syncline/store';

/** What a session needs of a replica; a directory on disk (DiskReplica) is one. */
export interface SessionReplica {
  readonly id: string;
  readonly store: Store;
  readonly clock: { tick(): Hlc; observe(remote: Hlc): void; readonly current: Hlc };
  ignores(path: string, isDir: boolean): Promise<boolean>;
  readChunks(requests: readonly ChunkRequest[]): Promise<Map<string, Uint8Array>>;
  /** Optional: takes back chunks from readChunks that nothing reads any more (their memory is reused). */
  releaseChunks?(chunks: Iterable<Uint8Array>): void;
  /** Contents found in `ahead` (from prepareAhead) are taken from there; the rest of `ahead` is discarded. */
  prepare(targets: readonly TargetState[], source: ChunkSource, stats: TransferStats, ahead?: PreparedFiles): Promise<PreparedFiles>;
  /**
   * Optional: prepares contents the other side's changes will likely need, before they are
   * planned (while the previous round is still applied). What prepare() does not take is
   * discarded by it.
   */
  prepareAhead?(records: readonly FileRecord[], source: ChunkSource, stats: TransferStats): Promise<PreparedFiles>;
  apply(targets: readonly TargetState[], prepared: ReadonlyMap<string, string>, label: string): Promise<ApplyResult>;
}
