import path from 'node:path';
import { DiskReplica, resolveReplicaRoot } from '@syncline/replica';
import { UserError } from './user-error.js';

/**
 * Checks the directories a local sync names before anything is touched: each exists and is
 * a directory, none is named twice, none lies inside another.
 */
export async function resolveLocalRoots(dirs: readonly string[]): Promise<string[]> {
  if (dirs.length < 2) throw new UserError('name at least two directories to sync, e.g. `syncline sync ~/a ~/b`');
  const roots: string[] = [];
  for (const d of dirs) roots.push(await resolveReplicaRoot(d));
  for (let i = 0; i < roots.length; i++) {
    for (let j = 0; j < roots.length; j++) {
      if (i === j) continue;
      const [a, b] = [roots[i]!, roots[j]!];
      if (a === b && i < j) throw new UserError(`${dirs[i]} and ${dirs[j]} are the same directory (${a}); name each folder once`);
      if (b.startsWith(a + path.sep) || (a === path.sep && b !== a)) {
        throw new UserError(`${dirs[j]} lies inside ${dirs[i]}; folders to sync must not be nested`);
      }
    }
  }
  return roots;
}

/** Opens every replica (all at once), or none: a failure closes the ones that did open. */
export async function openReplicas(roots: readonly string[], options: { fsync?: boolean } = {}): Promise<DiskReplica[]> {
  const results = await Promise.allSettled(roots.map((r) => DiskReplica.open(r, options)));
  const open = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) {
    await closeReplicas(open);
    throw failure.reason;
  }
  return open;
}

export async function closeReplicas(replicas: readonly DiskReplica[]): Promise<void> {
  await Promise.allSettled(replicas.map((r) => r.close()));
}
