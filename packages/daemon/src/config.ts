import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { writeFileAtomic } from './atomic-write.js';
import { ConfigError } from './errors.js';

export interface PeerConfig {
  readonly deviceId: string;
  readonly name?: string;
  readonly addrs: readonly string[];
}

export interface FolderConfig {
  readonly id: string;
  readonly path: string;
  /** Devices this folder is shared with (both sides must share for a sync to happen). */
  readonly devices: readonly string[];
}

export interface DaemonConfig {
  readonly listen: readonly string[];
  readonly mdns: boolean;
  /** Control API (and dashboard) port on 127.0.0.1; 0 picks a free one. */
  readonly apiPort: number;
  readonly folders: readonly FolderConfig[];
  readonly peers: readonly PeerConfig[];
  /** Debounce of file-system events, ms. */
  readonly debounceMs: number;
  /** Full rescan interval, ms (safety net for missed events). */
  readonly rescanMs: number;
  /** This device's name, shown to peers when pairing (default: the host name). */
  readonly name: string;
  /** Accept folders that paired devices offer, into folderRoot/<id>, without asking. */
  readonly autoAcceptFolders: boolean;
  /** Where accepted folders go by default. */
  readonly folderRoot: string;
  /** How long a pairing code stays valid, ms. */
  readonly pairingTtlMs: number;
}

export const DEFAULT_CONFIG: DaemonConfig = {
  listen: ['/ip4/0.0.0.0/tcp/4001'],
  mdns: true,
  apiPort: 8384,
  folders: [],
  peers: [],
  debounceMs: 100,
  rescanMs: 60_000,
  name: os.hostname(),
  autoAcceptFolders: false,
  folderRoot: path.join(os.homedir(), 'Syncline'),
  pairingTtlMs: 5 * 60_000,
};

export const FOLDER_ID_RE = /^[A-Za-z0-9_-]{1,64}$/;

function fail(file: string, what: string): never {
  throw new ConfigError(file, `${what}; fix the file or remove it to start from defaults`);
}

function strings(v: unknown, file: string, what: string): string[] {
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) fail(file, `"${what}" must be a list of strings`);
  return v as string[];
}

/** Schema check of a config file's parsed JSON; missing fields take defaults. */
export function parseConfig(v: unknown, file: string): DaemonConfig {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(file, 'not a JSON object');
  const o = v as Record<string, unknown>;
  const num = (key: keyof DaemonConfig, fallback: number, max: number) => {
    const x = o[key] ?? fallback;
    if (!Number.isSafeInteger(x) || (x as number) < 0 || (x as number) > max) fail(file, `"${key}" must be a whole number from 0 to ${max}`);
    return x as number;
  };
  const folders = (o.folders ?? []) as unknown;
  if (!Array.isArray(folders)) fail(file, '"folders" must be a list');
  const peers = (o.peers ?? []) as unknown;
  if (!Array.isArray(peers)) fail(file, '"peers" must be a list');
  if (o.mdns !== undefined && typeof o.mdns !== 'boolean') fail(file, '"mdns" must be true or false');
  const seen = new Set<string>();
  return {
    listen: o.listen === undefined ? DEFAULT_CONFIG.listen : strings(o.listen, file, 'listen'),
    mdns: (o.mdns as boolean | undefined) ?? DEFAULT_CONFIG.mdns,
    apiPort: num('apiPort', DEFAULT_CONFIG.apiPort, 65535),
    debounceMs: num('debounceMs', DEFAULT_CONFIG.debounceMs, 3_600_000),
    rescanMs: num('rescanMs', DEFAULT_CONFIG.rescanMs, 86_400_000),
    pairingTtlMs: num('pairingTtlMs', DEFAULT_CONFIG.pairingTtlMs, 86_400_000),
    name: o.name === undefined ? DEFAULT_CONFIG.name : typeof o.name === 'string' && o.name.length <= 64 ? o.name : fail(file, '"name" must be a short string'),
    autoAcceptFolders: o.autoAcceptFolders === undefined ? false : typeof o.autoAcceptFolders === 'boolean' ? o.autoAcceptFolders : fail(file, '"autoAcceptFolders" must be true or false'),
    folderRoot: o.folderRoot === undefined ? DEFAULT_CONFIG.folderRoot : typeof o.folderRoot === 'string' && o.folderRoot !== '' ? o.folderRoot : fail(file, '"folderRoot" must be a directory path'),
    folders: folders.map((f: unknown, i: number) => {
      if (typeof f !== 'object' || f === null) fail(file, `folders[${i}] must be an object`);
      const { id, path, devices } = f as Record<string, unknown>;
      if (typeof id !== 'string' || !FOLDER_ID_RE.test(id)) fail(file, `folders[${i}].id must be 1–64 letters, digits, _ or -`);
      if (seen.has(id)) fail(file, `folder id "${id}" appears twice`);
      seen.add(id);
      if (typeof path !== 'string' || path === '') fail(file, `folders[${i}].path must be a directory path`);
      return { id, path, devices: devices === undefined ? [] : strings(devices, file, `folders[${i}].devices`) };
    }),
    peers: peers.map((p: unknown, i: number) => {
      if (typeof p !== 'object' || p === null) fail(file, `peers[${i}] must be an object`);
      const { deviceId, name, addrs } = p as Record<string, unknown>;
      if (typeof deviceId !== 'string' || deviceId.length < 10 || deviceId.length > 128) fail(file, `peers[${i}].deviceId is not a device ID`);
      if (name !== undefined && typeof name !== 'string') fail(file, `peers[${i}].name must be a string`);
      return { deviceId, ...(name ? { name } : {}), addrs: addrs === undefined ? [] : strings(addrs, file, `peers[${i}].addrs`) };
    }),
  };
}

export async function loadConfig(file: string): Promise<DaemonConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return DEFAULT_CONFIG;
    throw new ConfigError(file, `cannot be read (${(err as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    fail(file, `is not valid JSON (${(err as Error).message})`);
  }
  return parseConfig(json, file);
}

export async function saveConfig(file: string, config: DaemonConfig): Promise<void> {
  await writeFileAtomic(file, JSON.stringify(config, null, 2) + '\n');
}
