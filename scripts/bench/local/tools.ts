import type { CommandSpec } from '../lib/measure.js';
import type { SynclineCli } from './syncline-cli.js';

/** One way of copying a source tree into an empty destination. */
export interface CopyTool {
  label: string;
  /** Used in destination directory names. */
  slug: string;
  /** Why it cannot run at all; its runs are then reported as FAILED. */
  unavailable: string | undefined;
  /** cp -a SRC DST creates DST itself (an existing DST would get SRC inside it). */
  createsDestination: boolean;
  command(source: string, destination: string): CommandSpec;
}

export const RSYNC_LABEL = 'rsync -a';

export function copyTools(syncline: SynclineCli): CopyTool[] {
  return [
    {
      label: 'cp -a',
      slug: 'cp',
      unavailable: undefined,
      createsDestination: true,
      command: (source, destination) => ({ command: 'cp', args: ['-a', source, destination] }),
    },
    {
      label: RSYNC_LABEL,
      slug: 'rsync',
      unavailable: undefined,
      createsDestination: false,
      command: (source, destination) => ({ command: 'rsync', args: ['-a', `${source}/`, `${destination}/`] }),
    },
    {
      label: 'syncline sync',
      slug: 'syncline',
      unavailable: syncline.unavailable,
      createsDestination: false,
      command: (source, destination) => syncline.command(['sync', source, destination]),
    },
  ];
}
