/**
 * Conflict copies sit beside the file: name.sync-conflict-YYYYMMDD-HHMMSS-<replica>.ext
 * The time is the losing version's (UTC), so every replica computes the same name.
 */
export function conflictCopyPath(path: string, wallMs: number, replicaId: string): string {
  const slash = path.lastIndexOf('/');
  const dir = slash < 0 ? '' : path.slice(0, slash + 1);
  const base = path.slice(slash + 1);
  const dot = base.lastIndexOf('.');
  const [stem, ext] = dot > 0 ? [base.slice(0, dot), base.slice(dot)] : [base, ''];
  const d = new Date(wallMs);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const stamp =
    `${p(d.getUTCFullYear(), 4)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}-` +
    `${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
  return `${dir}${stem}.sync-conflict-${stamp}-${replicaId}${ext}`;
}

const CONFLICT_RE = /\.sync-conflict-\d{8}-\d{6}-[a-z0-9]+(\.[^/]*)?$/;

export function isConflictCopy(path: string): boolean {
  return CONFLICT_RE.test(path);
}
