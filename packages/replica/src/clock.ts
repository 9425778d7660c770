import { HLC_ZERO, hlcReceive, hlcTick, type Hlc } from '@syncline/core';

/**
 * The replica's hybrid logical clock. Every local change takes `tick()`; every
 * timestamp seen from a peer goes through `observe()`, so later local changes
 * order after it. The wall clock is injected.
 */
export class ReplicaClock {
  private hlc: Hlc;

  constructor(
    initial: Hlc = HLC_ZERO,
    private readonly now: () => number = Date.now,
  ) {
    this.hlc = initial;
  }

  /** The last timestamp issued or observed (persist it with the changes it stamped). */
  get current(): Hlc {
    return this.hlc;
  }

  /** A new timestamp, later than every one issued or observed before. */
  tick(): Hlc {
    this.hlc = hlcTick(this.hlc, this.now());
    return this.hlc;
  }

  /** Moves the clock past a remote timestamp. */
  observe(remote: Hlc): Hlc {
    this.hlc = hlcReceive(this.hlc, remote, this.now());
    return this.hlc;
  }
}
