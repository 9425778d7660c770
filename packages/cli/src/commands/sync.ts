import type { Command } from 'commander';
import { needsContent, emptyTransferStats, type DiskReplica } from '@syncline/replica';
import { loadAskQueue, previewLocal, syncLocal, type LocalSyncReport } from '@syncline/engine';
import { EXIT_CONFLICTS, EXIT_OK, EXIT_USER_ERROR } from '../exit-codes.js';
import { formatBytes, formatCount, formatSeconds } from '../format.js';
import { closeReplicas, openReplicas, resolveLocalRoots } from '../local-replicas.js';
import { favourSmallHeapFrom } from '../heap-settings.js';
import { startProgress } from '../progress.js';
import { ExitWith } from '../user-error.js';
import { printPreview } from './compare.js';
import { watchLocal } from '../watch.js';

export interface ScanProblemRow {
  replica: string;
  path: string;
  code: string;
  message: string;
}

/**
 * Scans every replica, all at once (one scan's waits for its index fill the other's);
 * per-file problems are collected, never fatal.
 */
export async function scanAll(replicas: readonly DiskReplica[], roots: readonly string[], onProgress?: (files: number, bytes: number) => void): Promise<{ problems: ScanProblemRow[]; changed: number }> {
  const progress = replicas.map(() => ({ files: 0, bytes: 0 }));
  const report = () => onProgress?.(progress.reduce((sum, p) => sum + p.files, 0), progress.reduce((sum, p) => sum + p.bytes, 0));
  const results = await Promise.allSettled(
    replicas.map((replica, i) =>
      replica.scan({
        onProgress: (p) => {
          progress[i] = p;
          report();
        },
      }),
    ),
  );
  const problems: ScanProblemRow[] = [];
  let changed = 0;
  for (const [i, result] of results.entries()) {
    if (result.status === 'rejected') throw result.reason;
    changed += result.value.changed.length;
    for (const p of result.value.problems) problems.push({ replica: roots[i]!, ...p });
  }
  return { problems, changed };
}

export function syncCommand(program: Command): void {
  program
    .command('sync')
    .description('make two or more local folders identical (nothing is lost: conflicts keep both versions, replaced files go to .syncline/trash)')
    .argument('<dirs...>', 'the folders to sync (at least two)')
    .option('--watch', 'keep syncing as files change, until interrupted (Ctrl-C)')
    .option('--dry-run', 'show what would change, change nothing (same as `syncline compare`)')
    .option('--json', 'print a machine-readable summary')
    .option('--no-fsync', 'do not fsync written files (faster, not crash-safe)')
    .action(async (dirs: string[], opts: { watch?: boolean; dryRun?: boolean; json?: boolean; fsync: boolean }) => {
      const roots = await resolveLocalRoots(dirs);
      const replicas = await openReplicas(roots, { fsync: opts.fsync });
      let code = EXIT_OK;
      try {
        code = await syncOnce(replicas, roots, opts);
        if (opts.watch && !opts.dryRun) code = await watchLocal(replicas, roots, { json: !!opts.json });
      } finally {
        await closeReplicas(replicas);
      }
      if (code !== EXIT_OK) throw new ExitWith(code);
    });
}

/** An `ask` item that waits for the user in one of the synced folders. */
export interface WaitingPath {
  folder: string;
  path: string;
  kind: string;
  peer: string;
  reason: string;
}

/** What one sync of local folders did; printed by printSyncSummary. */
export interface SyncSummary {
  roots: readonly string[];
  report: LocalSyncReport;
  problems: ScanProblemRow[];
  /** Undecided `ask` items in the synced folders after the sync (see `syncline conflicts`). */
  waiting: WaitingPath[];
  elapsedMs: number;
}

export async function syncOnce(replicas: DiskReplica[], roots: readonly string[], opts: { dryRun?: boolean; json?: boolean }): Promise<number> {
  if (opts.dryRun) {
    const progress = startProgress(!opts.json);
    const scan = await scanAll(replicas, roots, (files, bytes) => progress.update({ stage: 'scanning', files, bytes }));
    progress.stop();
    const rows = await previewLocal(replicas);
    printPreview(rows, roots, scan.problems, !!opts.json);
    return scan.problems.length > 0 ? EXIT_USER_ERROR : EXIT_OK;
  }
  const summary = await performSync(replicas, roots, { progress: !opts.json });
  if (opts.json) process.stdout.write(JSON.stringify(syncSummaryJson(summary), null, 2) + '\n');
  else printSyncSummary(summary, roots);
  return syncExitCode(summary);
}

/** Scans and syncs the open replicas (their behaviours apply); prints nothing but the progress bar. */
export async function performSync(replicas: DiskReplica[], roots: readonly string[], opts: { progress: boolean }): Promise<SyncSummary> {
  const started = Date.now();
  const progress = startProgress(opts.progress);
  const scan = await scanAll(replicas, roots, (files, bytes) => {
    favourSmallHeapFrom(files);
    progress.update({ stage: 'scanning', files, bytes });
  });
  const transfer = emptyTransferStats();
  let totalBytes = 0;
  let totalFiles = 0;
  const timer = setInterval(() => {
    progress.update({ stage: 'syncing', files: transfer.filesPrepared, bytes: transfer.bytesTransferred + transfer.bytesReused + transfer.bytesResumed, totalBytes, totalFiles });
  }, 200);
  let report: LocalSyncReport;
  try {
    report = await syncLocal(replicas, {
      transfer,
      onPlanned: (_replica, plan) => {
        for (const t of plan.targets) {
          if (needsContent(t)) {
            totalBytes += t.record.size;
            totalFiles++;
          }
        }
      },
    });
  } finally {
    clearInterval(timer);
    progress.stop();
  }
  const problems = [...scan.problems, ...report.problems.map((p) => ({ replica: roots[p.replica]!, path: p.path, code: p.code, message: p.message }))];
  const waiting = await waitingPaths(replicas, roots);
  return { roots, report, problems, waiting, elapsedMs: Date.now() - started };
}

/** Undecided `ask` items of the given replicas, peers shown by folder path when they are among them. */
export async function waitingPaths(replicas: readonly DiskReplica[], roots: readonly string[]): Promise<WaitingPath[]> {
  const out: WaitingPath[] = [];
  for (let i = 0; i < replicas.length; i++) {
    for (const item of await loadAskQueue(replicas[i]!.store)) {
      if (item.decision) continue;
      const peerIndex = replicas.findIndex((r) => r.id === item.peer);
      out.push({ folder: roots[i]!, path: item.path, kind: item.kind, peer: peerIndex >= 0 ? roots[peerIndex]! : item.peer, reason: item.reason });
    }
  }
  return out;
}

export function syncSummaryJson(summary: SyncSummary): Record<string, unknown> {
  const { report } = summary;
  return {
    folders: summary.roots,
    converged: report.converged,
    rounds: report.rounds,
    sessions: report.sessions,
    filesChanged: report.filesChanged,
    conflicts: report.conflictCopies,
    waiting: summary.waiting,
    problems: summary.problems,
    bytesTransferred: report.transfer.bytesTransferred,
    bytesReused: report.transfer.bytesReused,
    bytesResumed: report.transfer.bytesResumed,
    elapsedMs: summary.elapsedMs,
  };
}

export function printSyncSummary(summary: SyncSummary, dirsShown: readonly string[]): void {
  const { report } = summary;
  const parts = [
    `synced ${formatCount(summary.roots.length, 'folder')}`,
    `${formatCount(report.filesChanged, 'change')} applied`,
    `${formatBytes(report.transfer.bytesTransferred)} copied`,
    `${formatBytes(report.transfer.bytesReused)} reused`,
    `${formatCount(report.conflictCopies.length, 'conflict')}`,
    ...(summary.waiting.length > 0 ? [`${formatCount(summary.waiting.length, 'path')} waiting for you`] : []),
    formatSeconds(summary.elapsedMs),
  ];
  process.stdout.write(parts.join(', ') + '\n');
  for (const c of report.conflictCopies) process.stdout.write(`  conflict: kept the other version as ${c}\n`);
  for (const w of summary.waiting) process.stdout.write(`  waiting for you: ${w.folder}/${w.path} (${w.kind}; ${w.reason})\n`);
  if (summary.waiting.length > 0) {
    process.stdout.write(`  decide with: syncline conflicts ${dirsShown.map(shellWord).join(' ')}\n`);
  }
  for (const p of summary.problems) process.stderr.write(`  not synced: ${p.replica}/${p.path}: ${p.message}\n`);
  if (!report.converged) process.stderr.write('  the folders did not converge in this run; run the sync again\n');
}

/** 1 for problems or no convergence, 2 for conflicts made or paths waiting for the user, else 0. */
export function syncExitCode(summary: SyncSummary): number {
  if (summary.problems.length > 0 || !summary.report.converged) return EXIT_USER_ERROR;
  return summary.report.conflictCopies.length > 0 || summary.waiting.length > 0 ? EXIT_CONFLICTS : EXIT_OK;
}

function shellWord(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
