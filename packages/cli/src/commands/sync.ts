import type { Command } from 'commander';
import { needsContent, emptyTransferStats, type DiskReplica } from '@syncline/replica';
import { previewLocal, syncLocal, type LocalSyncReport } from '@syncline/engine';
import { EXIT_CONFLICTS, EXIT_OK, EXIT_USER_ERROR } from '../exit-codes.js';
import { formatBytes, formatCount, formatSeconds } from '../format.js';
import { closeReplicas, openReplicas, resolveLocalRoots } from '../local-replicas.js';
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

/** Scans every replica; per-file problems are collected, never fatal. */
export async function scanAll(replicas: readonly DiskReplica[], roots: readonly string[], onProgress?: (files: number, bytes: number) => void): Promise<{ problems: ScanProblemRow[]; changed: number }> {
  const problems: ScanProblemRow[] = [];
  let changed = 0;
  let files = 0;
  let bytes = 0;
  for (let i = 0; i < replicas.length; i++) {
    const base = { files, bytes };
    const result = await replicas[i]!.scan({ onProgress: (p) => onProgress?.(base.files + p.files, base.bytes + p.bytes) });
    files += result.entries;
    bytes += result.bytesHashed;
    changed += result.changed.length;
    for (const p of result.problems) problems.push({ replica: roots[i]!, ...p });
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

export async function syncOnce(replicas: DiskReplica[], roots: readonly string[], opts: { dryRun?: boolean; json?: boolean }): Promise<number> {
  const started = Date.now();
  const progress = startProgress(!opts.json);
  const scan = await scanAll(replicas, roots, (files, bytes) => progress.update({ stage: 'scanning', files, bytes }));
  if (opts.dryRun) {
    progress.stop();
    const rows = await previewLocal(replicas);
    printPreview(rows, roots, scan.problems, !!opts.json);
    return scan.problems.length > 0 ? EXIT_USER_ERROR : EXIT_OK;
  }
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
  const elapsedMs = Date.now() - started;
  if (opts.json) {
    process.stdout.write(
      JSON.stringify(
        {
          folders: roots,
          converged: report.converged,
          rounds: report.rounds,
          sessions: report.sessions,
          filesChanged: report.filesChanged,
          conflicts: report.conflictCopies,
          problems,
          bytesTransferred: report.transfer.bytesTransferred,
          bytesReused: report.transfer.bytesReused,
          bytesResumed: report.transfer.bytesResumed,
          elapsedMs,
        },
        null,
        2,
      ) + '\n',
    );
  } else {
    const parts = [
      `synced ${formatCount(roots.length, 'folder')}`,
      `${formatCount(report.filesChanged, 'change')} applied`,
      `${formatBytes(report.transfer.bytesTransferred)} copied`,
      `${formatBytes(report.transfer.bytesReused)} reused`,
      `${formatCount(report.conflictCopies.length, 'conflict')}`,
      formatSeconds(elapsedMs),
    ];
    process.stdout.write(parts.join(', ') + '\n');
    for (const c of report.conflictCopies) process.stdout.write(`  conflict: kept the other version as ${c}\n`);
    for (const p of problems) process.stderr.write(`  not synced: ${p.replica}/${p.path}: ${p.message}\n`);
    if (!report.converged) process.stderr.write('  the folders did not converge in this run; run the sync again\n');
  }
  if (problems.length > 0 || !report.converged) return EXIT_USER_ERROR;
  return report.conflictCopies.length > 0 ? EXIT_CONFLICTS : EXIT_OK;
}
