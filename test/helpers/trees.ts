import { createHash } from 'node:crypto';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import path from 'node:path';

/** path → 'dir' | 'link:<target>' | 'file:<sha256>' for everything under root except .syncline. */
export async function snapshot(root: string, rel = ''): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  let names: string[];
  try {
    names = (await readdir(path.join(root, rel))).sort();
  } catch {
    return out;
  }
  for (const n of names) {
    const r = rel ? `${rel}/${n}` : n;
    if (r === '.syncline') continue;
    const abs = path.join(root, r);
    const st = await lstat(abs).catch(() => null);
    if (!st) continue;
    if (st.isDirectory()) {
      out[r] = 'dir';
      Object.assign(out, await snapshot(root, r));
    } else if (st.isSymbolicLink()) out[r] = `link:${await readlink(abs)}`;
    else out[r] = `file:${createHash('sha256').update(await readFile(abs).catch(() => Buffer.from('?'))).digest('hex')}`;
  }
  return out;
}

export function sameSnapshot(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}
