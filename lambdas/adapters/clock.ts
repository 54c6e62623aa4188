/**
 * The Clock port: every handler reads "now" through it. In AWS it is the system clock;
 * the embedded stack installs its one controllable clock (POST /_local/clock).
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

let current: Clock = systemClock;

export function clock(): Clock {
  return current;
}

/** Used by the embedded stack and tests only; handlers never call it. */
export function installClock(next: Clock): void {
  current = next;
}
