import path from 'node:path';
import { META_DIR } from '@syncline/core';

export interface TreeWatch {
  stop(): Promise<void>;
}

/**
 * Reports changed paths under root (relative, '/'-separated), never from `.syncline`.
 * The engine debounces and rescans just those paths.
 */
export async function watchTree(root: string, onPaths: (paths: string[]) => void, onError: (err: Error) => void): Promise<TreeWatch> {
  // Loaded on first use: a native addon that one-shot commands do not need.
  const { default: watcher } = await import('@parcel/watcher');
  const sub = await watcher.subscribe(
    root,
    (err, events) => {
      if (err) {
        onError(err);
        return;
      }
      const rels = new Set<string>();
      for (const e of events) {
        const rel = path.relative(root, e.path).split(path.sep).join('/');
        if (rel === '' || rel.startsWith('..') || rel === META_DIR || rel.startsWith(`${META_DIR}/`)) continue;
        rels.add(rel);
      }
      if (rels.size > 0) onPaths([...rels]);
    },
    { ignore: [META_DIR] },
  );
  return { stop: () => sub.unsubscribe() };
}
