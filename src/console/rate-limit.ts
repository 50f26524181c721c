/**
 * Login attempts per source address and per login, in a sliding window, in memory (one node serves its own
 * console). It comes before the password check, so a flood costs no argon2 work; the account lock of the
 * security core still applies behind it.
 */
export interface RateLimit {
  /** Attempts allowed per window. */
  readonly max: number;
  readonly windowMs: number;
}

/** Keys kept at most: an attacker cycling addresses or logins cannot grow the map without bound. */
const MAX_KEYS = 10_000;

export class SlidingWindowLimiter {
  readonly #limit: RateLimit;
  readonly #now: () => number;
  readonly #hits = new Map<string, number[]>();

  constructor(limit: RateLimit, now: () => number = Date.now) {
    this.#limit = limit;
    this.#now = now;
  }

  /** Records an attempt for `key`; false when the key has used its attempts of the window. */
  take(key: string): boolean {
    const now = this.#now();
    const recent = (this.#hits.get(key) ?? []).filter((t) => now - t < this.#limit.windowMs);
    if (recent.length >= this.#limit.max) {
      this.#hits.set(key, recent);
      return false;
    }
    recent.push(now);
    this.#hits.delete(key);
    this.#hits.set(key, recent);
    if (this.#hits.size > MAX_KEYS) this.#hits.delete(this.#hits.keys().next().value!);
    return true;
  }

  /** Seconds until the key may try again (0 when it may now). */
  retryAfterSeconds(key: string): number {
    const recent = this.#hits.get(key) ?? [];
    if (recent.length < this.#limit.max) return 0;
    return Math.max(1, Math.ceil((recent[0]! + this.#limit.windowMs - this.#now()) / 1000));
  }
}

export interface LoginLimits {
  perIp: RateLimit;
  perLogin: RateLimit;
}

export const defaultLoginLimits: LoginLimits = {
  perIp: { max: 30, windowMs: 5 * 60_000 },
  perLogin: { max: 10, windowMs: 5 * 60_000 },
};

export class LoginThrottle {
  readonly #ip: SlidingWindowLimiter;
  readonly #login: SlidingWindowLimiter;

  constructor(limits: LoginLimits = defaultLoginLimits, now?: () => number) {
    this.#ip = new SlidingWindowLimiter(limits.perIp, now);
    this.#login = new SlidingWindowLimiter(limits.perLogin, now);
  }

  /** Takes one attempt for both keys; undefined when allowed, else the seconds to wait. */
  take(ip: string, login: string): number | undefined {
    const ipOk = this.#ip.take(ip);
    const loginOk = this.#login.take(login.trim().toLowerCase());
    if (ipOk && loginOk) return undefined;
    return Math.max(this.#ip.retryAfterSeconds(ip), this.#login.retryAfterSeconds(login.trim().toLowerCase()), 1);
  }
}
