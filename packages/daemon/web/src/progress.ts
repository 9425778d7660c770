import { formatBytes, formatClock, plural } from './format.js';
import type { FolderView } from './model.js';

/** What a folder's progress bar and the lines under it say. */
export interface FolderProgress {
  /** 0–100, or undefined while the total is unknown (an indeterminate bar), or null for no bar. */
  readonly percent: number | undefined | null;
  readonly headline: string;
  readonly tone: 'ok' | 'busy' | 'idle' | 'error';
  readonly files: string;
  readonly bytes: string;
}

const doneBytes = (s: { bytesTransferred: number; bytesReused: number; bytesResumed: number }) => s.bytesTransferred + s.bytesReused + s.bytesResumed;

export function folderProgress(view: FolderView, peerName: (id: string) => string): FolderProgress {
  const { status, live } = view;
  if (status.state === 'error') return { percent: null, headline: 'Error', tone: 'error', files: '', bytes: status.error ?? '' };
  if (status.state === 'starting') return { percent: undefined, headline: 'Starting', tone: 'busy', files: '', bytes: '' };
  if (status.state === 'stopped') return { percent: null, headline: 'Stopped', tone: 'idle', files: '', bytes: '' };
  if (status.state === 'syncing' && !live) return { percent: undefined, headline: 'Syncing', tone: 'busy', files: '', bytes: '' };
  if (live) {
    const stats = live.stats;
    const { filesPlanned, bytesPlanned } = stats;
    const done = doneBytes(stats);
    let percent: number | undefined;
    if (bytesPlanned !== undefined && bytesPlanned > 0) percent = Math.min(100, (done / bytesPlanned) * 100);
    else if (filesPlanned !== undefined && filesPlanned > 0) percent = Math.min(100, (stats.filesPrepared / filesPlanned) * 100);
    return {
      percent,
      headline: `Syncing with ${peerName(live.peer)}`,
      tone: 'busy',
      files: filesPlanned !== undefined ? `${stats.filesPrepared.toLocaleString()} of ${plural(filesPlanned, 'file')}` : plural(stats.filesPrepared, 'file'),
      bytes: bytesPlanned !== undefined ? `${formatBytes(done)} of ${formatBytes(bytesPlanned)}` : formatBytes(done),
    };
  }
  if (status.state === 'scanning') {
    return { percent: status.lastSync ? 100 : undefined, headline: 'Scanning for changes', tone: 'busy', files: '', bytes: '' };
  }
  if (status.devices.length === 0) return { percent: null, headline: 'Not shared', tone: 'idle', files: '', bytes: 'Share it with a device to start syncing.' };
  if (!status.lastSync) return { percent: 0, headline: 'Waiting for a device', tone: 'idle', files: '', bytes: '' };
  const t = status.transfer;
  return {
    percent: 100,
    headline: 'Up to date',
    tone: 'ok',
    files: `Last sync ${formatClock(status.lastSync.atMs)} with ${peerName(status.lastSync.peer)}${status.lastSync.applied > 0 ? `: ${plural(status.lastSync.applied, 'change')} received` : ''}`,
    bytes: t.bytesTransferred + t.bytesReused > 0 ? `${formatBytes(t.bytesTransferred)} received, ${formatBytes(t.bytesReused + t.bytesResumed)} reused` : '',
  };
}
