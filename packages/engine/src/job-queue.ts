/** What a job must rescan: some paths of some replicas, or everything. */
export interface ScanRequest {
  full: boolean;
  paths: Map<number, Set<string>>;
}

/**
 * The per-folder job queue: requests are debounced and merged, and one job runs at a time;
 * requests that arrive while a job runs are merged into the next one.
 */
export class FolderJobQueue {
  private pending: ScanRequest | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly job: (request: ScanRequest) => Promise<void>,
    private readonly debounceMs: number,
    private readonly onError: (err: unknown) => void,
  ) {}

  request(replica: number | 'all', paths?: readonly string[]): void {
    if (this.stopped) return;
    const p = (this.pending ??= { full: false, paths: new Map() });
    if (replica === 'all' || !paths) p.full = true;
    else {
      const set = p.paths.get(replica) ?? new Set<string>();
      for (const x of paths) set.add(x);
      p.paths.set(replica, set);
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.runNext();
    }, this.debounceMs);
  }

  private async runNext(): Promise<void> {
    if (this.running || !this.pending || this.stopped) return;
    const request = this.pending;
    this.pending = undefined;
    this.running = this.job(request).catch(this.onError);
    await this.running;
    this.running = undefined;
    if (this.pending && !this.timer) void this.runNext();
  }

  /** Waits for the job in progress, drops pending requests, stops timers. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
