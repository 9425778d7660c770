import type { Command } from 'commander';
import type { VersionVector } from '@syncline/core';
import { initVectorTree, syncVectorTrees, type VectorRecovery, type VectorSyncOutcome } from '@syncline/replica';
import { EXIT_CONFLICTS } from '../exit-codes.js';
import { ExitWith } from '../user-error.js';

/** `syncline vector init|sync`: seed 004's version-vector trees (portable, metadata in `.vector-sync`). */
export function vectorCommands(program: Command): void {
  const vector = program
    .command('vector')
    .description('version-vector trees (seed 004): whole trees carried between machines, e.g. on a USB drive; metadata in .vector-sync at the root');

  vector
    .command('init')
    .description('make DIR a new tree: write DIR/.vector-sync with an empty version vector (never overwrites one)')
    .argument('<name>', 'the tree ID, unique among the trees you sync: 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit')
    .argument('<dir>', 'an existing directory')
    .option('--json', 'print a machine-readable result')
    .action(async (name: string, dir: string, opts: { json?: boolean }) => {
      const result = await initVectorTree(name, dir);
      if (opts.json) print({ action: 'init', id: result.metadata.id, path: result.path, metadata_file: result.metadataFile });
      else process.stdout.write(`initialised tree ${JSON.stringify(result.metadata.id)} in ${result.path} (wrote ${result.metadataFile})\n`);
    });

  vector
    .command('sync')
    .description(
      'make two trees identical: the tree whose version vector is before the other is replaced by it ' +
        "(its old files go to .<name>.vector-sync-trash/ beside it); if both changed, nothing happens and exit code 2",
    )
    .argument('<dir-a>', 'a tree (made with "syncline vector init")')
    .argument('<dir-b>', 'another tree, neither inside the first nor containing it')
    .option('--json', 'print a machine-readable result')
    .action(async (dirA: string, dirB: string, opts: { json?: boolean }) => {
      const outcome = await syncVectorTrees(dirA, dirB);
      if (opts.json) print(toJson(outcome));
      else {
        for (const line of recoveryLines(outcome.recovered)) process.stderr.write(`syncline: ${line}\n`);
        if (outcome.action === 'replaced') for (const note of outcome.notes) process.stderr.write(`syncline: note: ${note}\n`);
        process.stdout.write(`${summary(outcome)}\n`);
      }
      if (outcome.action === 'conflict') throw new ExitWith(EXIT_CONFLICTS);
    });
}

function summary(outcome: VectorSyncOutcome): string {
  const { a, b } = outcome;
  switch (outcome.action) {
    case 'none':
      return `nothing to do: ${a.path} and ${b.path} are identical (${files(a.files)}); version vector ${showVector(outcome.joined)} recorded in both`;
    case 'replaced': {
      const [target, source] = outcome.replaced === 'a' ? [a, b] : [b, a];
      const changed = outcome.written + outcome.removed;
      const kept = outcome.trash === null ? '' : `; previous files kept in ${outcome.trash}`;
      return (
        `replaced ${target.path} by ${source.path} (${files(changed)}: ${outcome.written} written, ${outcome.removed} removed); ` +
        `version vector ${showVector(outcome.joined)} recorded in both${kept}`
      );
    }
    case 'conflict':
      return `conflict: ${conflictExplanation(outcome)}`;
  }
}

function conflictExplanation(outcome: VectorSyncOutcome): string {
  const { a, b } = outcome;
  const why =
    showVector(a.vector) === showVector(b.vector)
      ? `have the same version vector ${showVector(a.vector)} but different files (were both initialised with one ID, or a .vector-sync copied from one tree to the other?)`
      : `both changed since they were last synced: ${a.path} has version vector ${showVector(a.vector)}, ${b.path} has ${showVector(b.vector)}, and neither is before the other`;
  return `${a.path} and ${b.path} ${why}. Nothing was changed. Make the two trees identical by hand, then run "syncline vector sync" again`;
}

function recoveryLines(recovered: readonly VectorRecovery[]): string[] {
  const lines: string[] = [];
  for (const r of recovered) {
    for (const staging of r.removedStaging) lines.push(`removed ${staging}, left by an interrupted sync before it changed ${r.tree}`);
    const c = r.completed;
    if (c === null) continue;
    const kept = c.trash === null ? '' : `; previous files kept in ${c.trash}`;
    lines.push(
      `finished an interrupted replacement of ${r.tree} by ${c.source} (started ${c.started}): ` +
        `${c.written} written, ${c.removed} removed${kept}`,
    );
    for (const note of c.notes) lines.push(`note: ${note}`);
  }
  return lines;
}

function toJson(outcome: VectorSyncOutcome): Record<string, unknown> {
  const side = (s: VectorSyncOutcome['a']) => ({ path: s.path, id: s.id, changed: s.changed, vector: s.vector, files: s.files });
  const base = {
    action: outcome.action,
    a: side(outcome.a),
    b: side(outcome.b),
    recovered: outcome.recovered.map((r) => ({ tree: r.tree, removed_staging: r.removedStaging, completed: r.completed })),
  };
  switch (outcome.action) {
    case 'none':
      return { ...base, joined: outcome.joined };
    case 'replaced':
      return {
        ...base,
        replaced: outcome.replaced,
        joined: outcome.joined,
        written: outcome.written,
        removed: outcome.removed,
        trash: outcome.trash,
        notes: outcome.notes,
      };
    case 'conflict':
      return { ...base, message: conflictExplanation(outcome) };
  }
}

/** Seed 004's notation: {A:1, B:2}. */
export function showVector(v: VersionVector): string {
  return `{${Object.entries(v)
    .map(([id, n]) => `${id}:${n}`)
    .join(', ')}}`;
}

function files(n: number): string {
  return `${n} ${n === 1 ? 'file' : 'files'}`;
}

function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
