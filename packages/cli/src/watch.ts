import { watchTree, type DiskReplica, type TreeWatch } from '@syncline/replica';
import { FolderJobQueue, syncLocal } from '@syncline/engine';
import { EXIT_OK } from './exit-codes.js';

export interface WatchOptions {
  json: boolean;
  debounceMs?: number;
  /** Full rescan of every folder as a safety net for missed events. */
  rescanMs?: number;
}

function envMs(name: string, fallback: number): number {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

/**
 * Keeps local folders converged until SIGINT/SIGTERM: file-system events are debounced into
 * jobs on one queue (one job at a time); a job rescans what changed and syncs. The engine's own
 * writes are already in the index when their events arrive, so they rescan as unchanged.
 */
export async function watchLocal(replicas: DiskReplica[], roots: readonly string[], options: WatchOptions): Promise<number> {
  const log = (event: Record<string, unknown>, text: string) => {
    process.stdout.write(options.json ? JSON.stringify({ time: new Date().toISOString(), ...event }) + '\n' : `${new Date().toLocaleTimeString()} ${text}\n`);
  };
  const queue = new FolderJobQueue(
    async (request) => {
      let changed = 0;
      for (let i = 0; i < replicas.length; i++) {
        const paths = request.paths.get(i);
        if (!request.full && !paths) continue;
        const result = await replicas[i]!.scan(request.full ? {} : { paths: [...paths!] });
        changed += result.changed.length;
        for (const p of result.problems) log({ event: 'problem', folder: roots[i], ...p }, `cannot sync ${roots[i]}/${p.path}: ${p.message}`);
      }
      if (changed === 0) return;
      const report = await syncLocal(replicas);
      log(
        { event: 'synced', changes: report.filesChanged, conflicts: report.conflictCopies, bytesTransferred: report.transfer.bytesTransferred },
        `synced: ${report.filesChanged} change(s) applied${report.conflictCopies.length ? `, conflict copies: ${report.conflictCopies.join(', ')}` : ''}`,
      );
    },
    options.debounceMs ?? envMs('SYNCLINE_DEBOUNCE_MS', 150),
    (err) => log({ event: 'error', message: String(err) }, `error: ${err instanceof Error ? err.message : String(err)}`),
  );
  const watches: TreeWatch[] = [];
  try {
    for (let i = 0; i < replicas.length; i++) {
      watches.push(
        await watchTree(
          replicas[i]!.root,
          (paths) => queue.request(i, paths),
          (err) => log({ event: 'error', message: err.message }, `watch error on ${roots[i]}: ${err.message}; rescanning`),
        ),
      );
    }
    const rescan = setInterval(() => queue.request('all'), options.rescanMs ?? envMs('SYNCLINE_RESCAN_MS', 60_000));
    log({ event: 'watching', folders: roots }, `watching ${roots.length} folders; Ctrl-C to stop`);
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    clearInterval(rescan);
  } finally {
    await Promise.allSettled(watches.map((w) => w.stop()));
    await queue.stop();
  }
  log({ event: 'stopped' }, 'stopped');
  return EXIT_OK;
}
