import type { Dataset } from '../../datasets/generate.js';
import type { Measurement } from '../lib/measure.js';

/** One p2p first sync between two daemons, verified. */
export interface P2pSample {
  /** Second `folder share` (the source's) → the destination holds every file. */
  transferSeconds: number;
  /** The source's first scan of the dataset (its folder state `scanning` → `idle`). */
  scanSeconds: number;
  /** CPU seconds of each daemon between the share and convergence. */
  sourceTransferCpu: number;
  destinationTransferCpu: number;
  /** CPU seconds of the source daemon during its scan. */
  sourceScanCpu: number;
  /** VmRSS of each daemon before any work (linked, folders added, nothing scanned or sent). */
  sourceIdleRss: number;
  destinationIdleRss: number;
  /** VmHWM of the source daemon when its scan ended. */
  sourceScanPeakRss: number;
  /** VmHWM of each daemon at convergence (covers start, scan and transfer). */
  sourcePeakRss: number;
  destinationPeakRss: number;
  /** The destination's `totals.bytesTransferred` (chunk bytes received over the network). */
  bytesTransferred: number | undefined;
}

export interface ToolRow {
  label: string;
  samples: Measurement[];
  failure: string | undefined;
}

export interface P2pRow {
  samples: P2pSample[];
  failure: string | undefined;
  /** A run with --cpu-prof, not counted: where its profiles went. */
  profiles: ProfileSummary[];
}

export interface ProfileSummary {
  label: string;
  file: string;
  /** Formatted text: top functions and categories by self time. */
  text: string;
}

export interface FirstSyncResult {
  dataset: Dataset;
  runs: number;
  references: ToolRow[];
  p2p: P2pRow;
}

export interface LatencyResult {
  /** Where the samples were taken (which folder, which pair). */
  context: string;
  samplesMs: number[];
  failure: string | undefined;
  sourceCpu: number | undefined;
  destinationCpu: number | undefined;
  profiles: ProfileSummary[];
}

export interface P2pResults {
  firstSync: FirstSyncResult[];
  latency: LatencyResult | undefined;
}
