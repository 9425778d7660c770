import path from 'node:path';
import { SynclineError } from '@syncline/core';
import { FOLDER_ID_RE, type DaemonConfig, type FolderConfig, type PeerConfig } from './config.js';

/** Config changes shared by the control API and the offline CLI; each validates and returns a new config. */
export function withPeer(config: DaemonConfig, peer: PeerConfig, selfId?: string): DaemonConfig {
  if (peer.deviceId === selfId) throw new SynclineError('SYNCLINE_BAD_PEER', 'that is this device itself');
  if (!/^[1-9A-HJ-NP-Za-km-z]{40,60}$/.test(peer.deviceId)) {
    throw new SynclineError('SYNCLINE_BAD_PEER', `"${peer.deviceId}" is not a device ID (ask the other device for \`syncline id\`)`);
  }
  return { ...config, peers: [...config.peers.filter((x) => x.deviceId !== peer.deviceId), peer] };
}

export function withFolder(config: DaemonConfig, id: string, dir: string): { config: DaemonConfig; folder: FolderConfig } {
  if (!FOLDER_ID_RE.test(id)) throw new SynclineError('SYNCLINE_BAD_FOLDER', `"${id}" is not a folder ID: use 1–64 letters, digits, _ or -`);
  if (config.folders.some((f) => f.id === id)) throw new SynclineError('SYNCLINE_FOLDER_EXISTS', `folder "${id}" already exists`);
  const abs = path.resolve(dir);
  for (const f of config.folders) {
    const other = path.resolve(f.path);
    if (abs === other || abs.startsWith(other + path.sep) || other.startsWith(abs + path.sep)) {
      throw new SynclineError('SYNCLINE_FOLDER_OVERLAP', `${abs} overlaps folder "${f.id}" at ${other}; folders must not be nested`);
    }
  }
  const folder: FolderConfig = { id, path: abs, devices: [] };
  return { config: { ...config, folders: [...config.folders, folder] }, folder };
}

export function withShare(config: DaemonConfig, id: string, device: string): { config: DaemonConfig; folder: FolderConfig } {
  const folder = config.folders.find((f) => f.id === id);
  if (!folder) throw new SynclineError('SYNCLINE_NO_FOLDER', `no folder "${id}"; add it first with \`syncline folder add ${id} PATH\``);
  if (!config.peers.some((p) => p.deviceId === device)) {
    throw new SynclineError('SYNCLINE_UNKNOWN_PEER', `device ${device} is not a trusted peer; add it first with \`syncline peer add ${device} --addr MULTIADDR\``);
  }
  const updated: FolderConfig = { ...folder, devices: [...new Set([...folder.devices, device])] };
  return { config: { ...config, folders: config.folders.map((f) => (f.id === id ? updated : f)) }, folder: updated };
}
