import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { DiskReplica } from '@syncline/replica';
import { syncPair } from '@syncline/engine';
import { tempDir } from './tmp.js';

export interface ReplicaSet {
  dir: string;
  roots: string[];
  replicas: DiskReplica[];
  /** Scans both and runs one session between replicas i and j. */
  sync(i: number, j: number): ReturnType<typeof syncPair>;
  close(): Promise<void>;
}

/** `count` empty replicas in a fresh temp dir, each with its own controllable clock. */
export async function makeReplicas(count: number, clocks?: (() => number)[]): Promise<ReplicaSet> {
  const { dir, cleanup } = await tempDir('syncline-replicas-');
  const roots: string[] = [];
  const replicas: DiskReplica[] = [];
  for (let i = 0; i < count; i++) {
    const root = path.join(dir, `r${i}`);
    await mkdir(root);
    roots.push(root);
    replicas.push(await DiskReplica.open(root, clocks?.[i] ? { now: clocks[i] } : {}));
  }
  return {
    dir,
    roots,
    replicas,
    async sync(i, j) {
      await replicas[i]!.scan();
      await replicas[j]!.scan();
      return syncPair(replicas[i]!, replicas[j]!);
    },
    async close() {
      await Promise.allSettled(replicas.map((r) => r.close()));
      await cleanup();
    },
  };
}
