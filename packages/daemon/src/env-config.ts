import path from 'node:path';
import { ConfigError } from './errors.js';
import { FOLDER_ID_RE, type DaemonConfig, type FolderConfig, type PeerConfig } from './config.js';

const SOURCE = 'environment';

const list = (v: string | undefined) => (v ?? '').split(',').map((x) => x.trim()).filter(Boolean);

/**
 * Settings from the environment, for containers (docker/compose.yml), merged over the config
 * file at start (a later change through the CLI saves the merged result to config.json):
 * - SYNCLINE_LISTEN: comma-separated multiaddrs, e.g. /ip4/0.0.0.0/tcp/4001
 * - SYNCLINE_API_PORT: control API port on 127.0.0.1
 * - SYNCLINE_MDNS: 1 or 0
 * - SYNCLINE_PEERS: comma-separated DEVICE_ID@MULTIADDR (trusted devices and where to reach them)
 * - SYNCLINE_FOLDERS: comma-separated ID=PATH, each shared with every peer of SYNCLINE_PEERS
 * - SYNCLINE_NAME: the device name shown to peers; SYNCLINE_AUTO_ACCEPT: 1 to accept offered folders
 * - SYNCLINE_PAIRING_TTL_MS: how long a pairing code stays valid
 * - SYNCLINE_FOLDER_ROOT: where folders accepted from peers go (folderRoot)
 */
export function applyEnvironment(config: DaemonConfig, env: NodeJS.ProcessEnv): DaemonConfig {
  let out = config;
  if (env.SYNCLINE_LISTEN) out = { ...out, listen: list(env.SYNCLINE_LISTEN) };
  if (env.SYNCLINE_API_PORT) {
    const port = Number(env.SYNCLINE_API_PORT);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(SOURCE, `SYNCLINE_API_PORT=${env.SYNCLINE_API_PORT} is not a port number`);
    out = { ...out, apiPort: port };
  }
  if (env.SYNCLINE_MDNS) {
    if (!['0', '1', 'true', 'false'].includes(env.SYNCLINE_MDNS)) throw new ConfigError(SOURCE, 'SYNCLINE_MDNS must be 1 or 0');
    out = { ...out, mdns: env.SYNCLINE_MDNS === '1' || env.SYNCLINE_MDNS === 'true' };
  }
  if (env.SYNCLINE_FOLDER_ROOT) out = { ...out, folderRoot: path.resolve(env.SYNCLINE_FOLDER_ROOT) };
  if (env.SYNCLINE_NAME) out = { ...out, name: env.SYNCLINE_NAME.slice(0, 64) };
  if (env.SYNCLINE_AUTO_ACCEPT) out = { ...out, autoAcceptFolders: env.SYNCLINE_AUTO_ACCEPT === '1' || env.SYNCLINE_AUTO_ACCEPT === 'true' };
  if (env.SYNCLINE_PAIRING_TTL_MS) {
    const ttl = Number(env.SYNCLINE_PAIRING_TTL_MS);
    if (!Number.isInteger(ttl) || ttl <= 0) throw new ConfigError(SOURCE, 'SYNCLINE_PAIRING_TTL_MS must be a positive whole number of milliseconds');
    out = { ...out, pairingTtlMs: ttl };
  }
  const envPeers: PeerConfig[] = list(env.SYNCLINE_PEERS).map((item) => {
    const at = item.indexOf('@');
    const deviceId = at < 0 ? item : item.slice(0, at);
    const addr = at < 0 ? '' : item.slice(at + 1);
    if (!/^[1-9A-HJ-NP-Za-km-z]{40,60}$/.test(deviceId)) throw new ConfigError(SOURCE, `SYNCLINE_PEERS: "${deviceId}" is not a device ID (use DEVICE_ID@MULTIADDR)`);
    if (addr && !addr.startsWith('/')) throw new ConfigError(SOURCE, `SYNCLINE_PEERS: "${addr}" is not a multiaddr (e.g. /dns4/node-b/tcp/4001)`);
    return { deviceId, addrs: addr ? [addr] : [] };
  });
  if (envPeers.length > 0) {
    const ids = new Set(envPeers.map((p) => p.deviceId));
    out = { ...out, peers: [...out.peers.filter((p) => !ids.has(p.deviceId)), ...envPeers] };
  }
  const envFolders: FolderConfig[] = list(env.SYNCLINE_FOLDERS).map((item) => {
    const eq = item.indexOf('=');
    const id = eq < 0 ? '' : item.slice(0, eq);
    const dir = eq < 0 ? '' : item.slice(eq + 1);
    if (!FOLDER_ID_RE.test(id) || !dir) throw new ConfigError(SOURCE, `SYNCLINE_FOLDERS: "${item}" must be ID=PATH with an ID of letters, digits, _ or -`);
    return { id, path: path.resolve(dir), devices: envPeers.map((p) => p.deviceId) };
  });
  if (envFolders.length > 0) {
    const ids = new Set(envFolders.map((f) => f.id));
    out = { ...out, folders: [...out.folders.filter((f) => !ids.has(f.id)), ...envFolders] };
  }
  return out;
}
