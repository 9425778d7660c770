import { chmod, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** The node's home: --home, else $SYNCLINE_HOME, else the XDG config dir. */
export function resolveHome(explicit?: string): string {
  if (explicit) return path.resolve(explicit);
  if (process.env.SYNCLINE_HOME) return path.resolve(process.env.SYNCLINE_HOME);
  const xdg = process.env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config');
  return path.join(xdg, 'syncline');
}

export async function ensureHome(home: string): Promise<void> {
  await mkdir(home, { recursive: true, mode: 0o700 });
  await chmod(home, 0o700).catch(() => undefined);
}

export const homeFiles = (home: string) => ({
  config: path.join(home, 'config.json'),
  token: path.join(home, 'api-token'),
  /** Written while a daemon runs: its pid and control-API port. */
  runtime: path.join(home, 'daemon.json'),
  /** Default parent of folders accepted from peers. */
  folders: path.join(home, 'folders'),
});
