/**
 * Transfer rates from the cumulative byte counters of progress events, smoothed. A counter
 * that goes down belongs to a new session and starts over; reset() when a session ends.
 */
export class RateMeter {
  private readonly samples = new Map<string, { bytes: number; atMs: number; rate: number }>();

  constructor(private readonly minIntervalMs = 200) {}

  update(key: string, bytes: number, atMs: number): number {
    const last = this.samples.get(key);
    if (!last || bytes < last.bytes) {
      this.samples.set(key, { bytes, atMs, rate: 0 });
      return 0;
    }
    const dt = atMs - last.atMs;
    if (dt < this.minIntervalMs) return last.rate;
    const instant = ((bytes - last.bytes) / dt) * 1000;
    const rate = last.rate === 0 ? instant : 0.5 * instant + 0.5 * last.rate;
    this.samples.set(key, { bytes, atMs, rate });
    return rate;
  }

  reset(key: string): void {
    this.samples.delete(key);
  }

  /** Sum of the current rates of the keys that match. */
  total(match: (key: string) => boolean): number {
    let sum = 0;
    for (const [key, s] of this.samples) if (match(key)) sum += s.rate;
    return sum;
  }

  resetWhere(match: (key: string) => boolean): void {
    for (const key of [...this.samples.keys()]) if (match(key)) this.samples.delete(key);
  }
}
