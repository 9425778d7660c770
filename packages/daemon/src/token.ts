import { randomBytes } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { writeFileAtomic } from './atomic-write.js';
import { ConfigError } from './errors.js';

/** The control-API token: 32 random bytes in hex, in a 0600 file in the home. */
export async function loadOrCreateToken(file: string): Promise<string> {
  try {
    const st = await stat(file);
    if ((st.mode & 0o077) !== 0) throw new ConfigError(file, 'is readable by other users; run `chmod 600` on it');
    const token = (await readFile(file, 'utf8')).trim();
    if (!/^[0-9a-f]{64}$/.test(token)) throw new ConfigError(file, 'does not hold a valid token; delete it and a new one is made at the next start');
    return token;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const token = randomBytes(32).toString('hex');
  await writeFileAtomic(file, token + '\n', 0o600);
  return token;
}

export async function readToken(file: string): Promise<string | undefined> {
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    return undefined;
  }
}
