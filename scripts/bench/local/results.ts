import type { Dataset } from '../../datasets/generate.js';

/** One timed run; a child process Measurement satisfies it. */
export interface Sample {
  wallSeconds: number;
  cpuSeconds: number | undefined;
  peakRssBytes: number | undefined;
}

/** One line of a result table: a tool's runs on one piece of work. */
export interface ResultRow {
  label: string;
  samples: Sample[];
  /** Set when a run failed or its destination did not verify: the cell reads FAILED. */
  failure: string | undefined;
}

export interface FirstSyncResult {
  dataset: Dataset;
  /** Timed runs asked for per tool. */
  runs: number;
  rows: ResultRow[];
}

export interface RescanResult {
  dataset: Dataset;
  /** The untimed first sync that the re-syncs start from. */
  setupFailure: string | undefined;
  rows: ResultRow[];
  /** Label of the row the ratios are taken against. */
  referenceLabel: string;
}

export interface InsertResult {
  fileSize: number;
  failure: string | undefined;
  sample: Sample | undefined;
  bytesTransferred: number | undefined;
  bytesReused: number | undefined;
  /** JSON fields the CLI did not print. */
  missingFields: string[];
}

export interface LocalResults {
  firstSync: FirstSyncResult[];
  rescan: RescanResult | undefined;
  insert: InsertResult | undefined;
}
