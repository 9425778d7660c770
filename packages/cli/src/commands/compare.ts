import type { Command } from 'commander';
import { previewLocal, type PreviewRow } from '@syncline/engine';
import { EXIT_OK, EXIT_USER_ERROR } from '../exit-codes.js';
import { table } from '../format.js';
import { closeReplicas, openReplicas, resolveLocalRoots } from '../local-replicas.js';
import { ExitWith } from '../user-error.js';
import { scanAll, type ScanProblemRow } from './sync.js';

export function printPreview(rows: PreviewRow[], roots: readonly string[], problems: ScanProblemRow[], json: boolean): void {
  if (json) {
    process.stdout.write(JSON.stringify({ folders: roots, changes: rows, problems }, null, 2) + '\n');
    return;
  }
  if (rows.length === 0) process.stdout.write('nothing to do: the folders are in sync\n');
  else {
    const header = ['path', ...roots.map((_, i) => `#${i + 1}`), 'why'];
    const body = rows.map((r) => [r.kind === 'dir' ? `${r.path}/` : r.path, ...r.cells, whyColumn(r)]);
    process.stdout.write(table(header, body) + '\n');
    process.stdout.write(roots.map((r, i) => `#${i + 1} = ${r}`).join('\n') + '\n');
  }
  for (const p of problems) process.stderr.write(`  cannot sync: ${p.replica}/${p.path}: ${p.message}\n`);
}

/** The deciding behaviours and rules when behaviours decided, else the default rule; and the conflict copy. */
function whyColumn(row: PreviewRow): string {
  const copy = row.conflictCopy ? `conflict: copy ${row.conflictCopy}` : undefined;
  if (row.decisions) return [row.reason, copy].filter(Boolean).join('; ');
  return copy ?? row.reason;
}

export function compareCommand(program: Command): void {
  program
    .command('compare')
    .description('preview what `syncline sync` would do, per path, and why (the default rule, or the behaviour and rule that decided); changes no file (the index in .syncline is refreshed)')
    .argument('<dirs...>', 'the folders to compare (at least two)')
    .option('--json', 'print machine-readable output')
    .action(async (dirs: string[], opts: { json?: boolean }) => {
      const roots = await resolveLocalRoots(dirs);
      const replicas = await openReplicas(roots);
      let code = EXIT_OK;
      try {
        const scan = await scanAll(replicas, roots);
        const rows = await previewLocal(replicas);
        printPreview(rows, roots, scan.problems, !!opts.json);
        if (scan.problems.length > 0) code = EXIT_USER_ERROR;
      } finally {
        await closeReplicas(replicas);
      }
      if (code !== EXIT_OK) throw new ExitWith(code);
    });
}
