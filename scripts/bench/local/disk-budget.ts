import { existsSync } from 'node:fs';
import { manifestPath } from '../../datasets/manifest.js';
import { datasetId, datasetSpec, planDataset, type DatasetName } from '../../datasets/specs.js';
import { firstSyncRuns, type LocalOptions } from './options.js';

/**
 * Bytes this run writes: missing datasets, plus one copy per tool and run
 * (destinations are kept until the end), rounded up to 4 KiB blocks.
 */
export function estimateDiskBytes(options: LocalOptions, datasetsDir: string, firstSyncDatasets: readonly DatasetName[]): number {
  const onDisk = (name: DatasetName): number =>
    planDataset(datasetSpec(name, options.scale)).files.reduce((sum, file) => sum + (Math.ceil(file.size / 4096) + 1) * 4096, 0);
  const missing = (name: DatasetName): boolean => !existsSync(manifestPath(datasetsDir, datasetId(datasetSpec(name, options.scale))));
  let bytes = 0;
  const generated = new Set<DatasetName>();
  const need = (name: DatasetName, copies: number): void => {
    const generate = missing(name) && !generated.has(name);
    generated.add(name);
    bytes += onDisk(name) * (copies + (generate ? 1 : 0));
  };
  for (const name of firstSyncDatasets) {
    if (options.scenarios.has(name)) need(name, 3 * firstSyncRuns(name, options.runs));
  }
  if (options.scenarios.has('rescan')) need('small', 1);
  if (options.scenarios.has('insert')) need('large', 3 / 4);
  return Math.ceil(bytes * 1.05);
}
