import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Dataset } from '../../datasets/generate.js';
import { verifyTree, type Manifest } from '../../datasets/manifest.js';
import { listTree } from '../../datasets/tree-walk.js';
import { flushDirtyPages, warmTree } from '../lib/page-cache.js';
import type { TimedEvent } from './daemon.js';
import { cli, folderState, isSynced, startPair, stopPair, type DaemonPair, type PairContext } from './pair.js';
import type { ProcessUsage } from './proc-stats.js';
import type { P2pSample } from './results.js';

export const FOLDER_ID = 'bench';

export interface P2pRunOptions {
  runDir: string;
  dataset: Dataset;
  sourceRoot: string;
  destinationRoot: string;
  timeoutMs: number;
  /** --cpu-prof for both daemons, profiles into <dir>/source and <dir>/destination. */
  profileDir: string | undefined;
  log: (line: string) => void;
}

/**
 * One p2p first sync, as a user would do it: two daemons linked through the CLI, the
 * destination's empty folder added and shared; then the source's folder is added (its scan
 * is timed from the `scanning` to the `idle` folder event) and shared — the second share, the
 * start of the timed transfer (through the control API, the call `syncline folder share`
 * makes, so that the CLI's own start-up (about 1 s, loading libp2p) is not counted). The
 * transfer ends at the destination's first `synced` or `idle` event after which its tree holds
 * every file at its size; the tree is then verified against the manifest's sha256s.
 *
 * Returns the pair still running (the caller stops it, or measures latency first).
 */
export async function p2pFirstSync(context: PairContext, options: P2pRunOptions): Promise<{ sample: P2pSample; pair: DaemonPair }> {
  const { dataset, sourceRoot, destinationRoot } = options;
  rmSync(join(sourceRoot, '.syncline'), { recursive: true, force: true });
  mkdirSync(destinationRoot, { recursive: true });
  const profileFlags = (label: string): string[] | undefined =>
    options.profileDir === undefined ? undefined : ['--cpu-prof', `--cpu-prof-dir=${join(options.profileDir, label)}`];
  const pair = await startPair(context, {
    runDir: options.runDir,
    folderId: FOLDER_ID,
    sourceRoot,
    destinationRoot,
    sourceFlags: profileFlags('source'),
    destinationFlags: profileFlags('destination'),
  });
  try {
    const sample = await timedSync(context, pair, dataset.manifest, options);
    return { sample, pair };
  } catch (error) {
    const tails = `source daemon log tail:\n${pair.source.logTail(8)}\ndestination daemon log tail:\n${pair.destination.logTail(8)}`;
    await stopPair(pair);
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${tails}`);
  }
}

async function timedSync(context: PairContext, pair: DaemonPair, manifest: Manifest, options: P2pRunOptions): Promise<P2pSample> {
  const { source, destination } = pair;
  // Scan: the source's folder is added; it scans and hashes the whole dataset, as rsync reads it.
  flushDirtyPages();
  warmTree(options.sourceRoot);
  const idle = { source: source.usage(), destination: destination.usage() };
  const since = performance.now();
  const usageAt = new Map<TimedEvent, ProcessUsage | undefined>();
  const stopRecording = source.onEvent((event) => {
    if (folderState(event, FOLDER_ID) !== undefined) usageAt.set(event, source.usage());
  });
  await cli(context, source.spec.home, ['folder', 'add', FOLDER_ID, options.sourceRoot]);
  const scanning = await source.waitForEvent((e) => folderState(e, FOLDER_ID) === 'scanning', 'the source to start scanning', options.timeoutMs, since);
  const scanned = await source.waitForEvent((e) => folderState(e, FOLDER_ID) === 'idle', 'the source scan to finish', options.timeoutMs, scanning.at);
  stopRecording();
  const scanCpu = difference(usageAt.get(scanned), usageAt.get(scanning));
  const scanPeakRss = usageAt.get(scanned)?.peakRssBytes ?? NaN;

  // Transfer: the second share, until the destination holds every file.
  const candidates: { event: TimedEvent; source: ProcessUsage | undefined; destination: ProcessUsage | undefined }[] = [];
  let wake: (() => void) | undefined;
  const stopWatching = destination.onEvent((event) => {
    if (!isSynced(event, FOLDER_ID) && folderState(event, FOLDER_ID) !== 'idle') return;
    candidates.push({ event, source: source.usage(), destination: destination.usage() });
    wake?.();
  });
  const before = { source: source.usage(), destination: destination.usage() };
  const t0 = performance.now();
  await source.call('folder.share', { id: FOLDER_ID, deviceId: destination.deviceId });
  const deadline = t0 + options.timeoutMs;
  let done: (typeof candidates)[number] | undefined;
  try {
    while (done === undefined) {
      const next = candidates.shift();
      if (next === undefined) {
        const left = deadline - performance.now();
        if (left <= 0) throw new Error(`the destination did not converge within ${(options.timeoutMs / 1000).toFixed(0)} s (${describeProgress(options.destinationRoot, manifest)})`);
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, Math.min(left, 1000));
        });
        wake = undefined;
        continue;
      }
      if (holdsEveryFile(options.destinationRoot, manifest)) done = next;
    }
  } finally {
    stopWatching();
  }
  const verification = verifyTree(options.destinationRoot, manifest);
  if (!verification.ok) throw new Error(`the destination does not match the source manifest: ${verification.problems.join('; ')}`);
  const end = { source: source.usage(), destination: destination.usage() };
  const status = await destination.call<{ folders: { id: string; totals: { bytesTransferred: number } }[] }>('status');
  return {
    transferSeconds: (done.event.at - t0) / 1000,
    scanSeconds: (scanned.at - scanning.at) / 1000,
    sourceTransferCpu: difference(done.source, before.source),
    destinationTransferCpu: difference(done.destination, before.destination),
    sourceScanCpu: scanCpu,
    sourceIdleRss: idle.source?.rssBytes ?? NaN,
    destinationIdleRss: idle.destination?.rssBytes ?? NaN,
    sourceScanPeakRss: scanPeakRss,
    sourcePeakRss: end.source?.peakRssBytes ?? NaN,
    destinationPeakRss: end.destination?.peakRssBytes ?? NaN,
    bytesTransferred: status.folders.find((f) => f.id === FOLDER_ID)?.totals.bytesTransferred,
  };
}

function difference(after: ProcessUsage | undefined, before: ProcessUsage | undefined): number {
  return after === undefined || before === undefined ? NaN : after.cpuSeconds - before.cpuSeconds;
}

/** Cheap completeness check (names and sizes, no hashing); the full sha256 check follows. */
function holdsEveryFile(root: string, manifest: Manifest): boolean {
  if (!existsSync(root)) return false;
  const files = listTree(root, ['.syncline']).files;
  if (files.length !== manifest.files.length) return false;
  const sizes = new Map(files.map((file) => [file.path, file.stats.size]));
  return manifest.files.every((entry) => sizes.get(entry.path) === entry.size);
}

function describeProgress(root: string, manifest: Manifest): string {
  const files = existsSync(root) ? listTree(root, ['.syncline']).files : [];
  const bytes = files.reduce((sum, file) => sum + file.stats.size, 0);
  return `${files.length} of ${manifest.files.length} files, ${(bytes / 1e6).toFixed(1)} of ${(manifest.totalBytes / 1e6).toFixed(1)} MB there`;
}
