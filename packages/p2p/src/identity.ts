import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { link, mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys';
import type { PeerId, PrivateKey } from '@libp2p/interface';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { IdentityKeyInvalidError, IdentityKeyPermissionsError } from './errors.js';

export const IDENTITY_KEY_FILE = 'identity.key';

export interface Identity {
  readonly privateKey: PrivateKey;
  readonly peerId: PeerId;
  /** The peer ID as a string: the device ID users see and exchange. */
  readonly deviceId: string;
  readonly keyPath: string;
}

function identityOf(privateKey: PrivateKey, keyPath: string): Identity {
  const peerId = peerIdFromPrivateKey(privateKey);
  return { privateKey, peerId, deviceId: peerId.toString(), keyPath };
}

/**
 * The node's Ed25519 identity, kept at `<home>/identity.key` (libp2p protobuf encoding, mode
 * 0600). Created on first use, with `home` created 0700 if missing; loaded afterwards. A key
 * file readable by group or others is refused rather than silently used or "fixed".
 */
export async function loadOrCreateIdentity(home: string): Promise<Identity> {
  const keyPath = path.join(home, IDENTITY_KEY_FILE);
  const existing = await loadIdentity(keyPath);
  if (existing) return existing;
  await mkdir(home, { recursive: true, mode: 0o700 });
  const privateKey = await generateKeyPair('Ed25519');
  const created = await writeKeyExclusively(keyPath, privateKeyToProtobuf(privateKey));
  // Another process created it first: theirs is the identity.
  if (!created) return (await loadIdentity(keyPath))!;
  return identityOf(privateKey, keyPath);
}

/** The device ID of the node whose home is `home` (creating its identity on first use). */
export async function deviceIdOf(home: string): Promise<string> {
  return (await loadOrCreateIdentity(home)).deviceId;
}

async function loadIdentity(keyPath: string): Promise<Identity | undefined> {
  let info;
  try {
    info = await stat(keyPath);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  if (!info.isFile()) throw new IdentityKeyInvalidError(keyPath, 'it is not a regular file');
  if (process.platform !== 'win32' && (info.mode & 0o077) !== 0) throw new IdentityKeyPermissionsError(keyPath, info.mode);
  const bytes = await readFile(keyPath);
  let privateKey: PrivateKey;
  try {
    privateKey = privateKeyFromProtobuf(bytes);
  } catch (err) {
    throw new IdentityKeyInvalidError(keyPath, 'it does not decode as a libp2p private key', { cause: err });
  }
  if (privateKey.type !== 'Ed25519') throw new IdentityKeyInvalidError(keyPath, `it holds a ${privateKey.type} key, not Ed25519`);
  return identityOf(privateKey, keyPath);
}

/** Writes tmp (0600) → fsync → link into place without overwriting; false if the key already existed. */
async function writeKeyExclusively(keyPath: string, bytes: Uint8Array): Promise<boolean> {
  const tmp = `${keyPath}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } catch (err) {
    await handle.close();
    await rm(tmp, { force: true });
    throw err;
  }
  await handle.close();
  try {
    // A hard link fails if the target exists, unlike rename: two first starts cannot both win.
    await link(tmp, keyPath);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP') {
      // A file system without hard links: rename (last writer wins; both wrote a 0600 key).
      await rename(tmp, keyPath);
      await syncDirectory(path.dirname(keyPath));
      return true;
    }
    await rm(tmp, { force: true });
    if (code === 'EEXIST') return false;
    throw err;
  }
  await rm(tmp, { force: true });
  await syncDirectory(path.dirname(keyPath));
  return true;
}

async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, constants.O_RDONLY);
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Not every platform can fsync a directory; the key itself is already durable.
  }
}
