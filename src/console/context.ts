/** What every console route works with, built once by startConsole. */
import type { Logger } from '../engine/index.js';
import type { Security } from '../security/index.js';
import type { StatisticsDocumentType } from '../stats/index.js';
import type { Store } from '../store/index.js';
import type { ConsoleMetrics } from './metrics.js';
import type { OidcLogin } from './oidc-login.js';
import type { PeerView } from './peers.js';
import type { LoginThrottle } from './rate-limit.js';

export interface ConsoleContext {
  readonly store: Store;
  readonly security: Security;
  readonly log: Logger;
  /** The technical version shown on every page (DSR §4.2.1). */
  readonly version: string;
  /** Served over TLS (or behind a TLS proxy): cookies get `Secure`, responses HSTS. */
  readonly secure: boolean;
  readonly throttle: LoginThrottle;
  readonly metrics: ConsoleMetrics;
  readonly peers: () => PeerView[];
  readonly now: () => Date;
  /** Login by the establishment's identity provider; undefined when `console.oidc.issuer` is empty. */
  readonly oidc: OidcLogin | undefined;
  readonly statistics: {
    readonly documentTypes: readonly StatisticsDocumentType[];
    readonly finessByMailbox: Readonly<Record<string, string>>;
  };
}

export const SESSION_COOKIE = 'relais_session';
export const LOGIN_CSRF_COOKIE = 'relais_login_csrf';

export const READERS = ['admin', 'operator', 'auditor'] as const;
export const OPERATORS = ['admin', 'operator'] as const;
export const AUDITORS = ['admin', 'auditor'] as const;
export const ADMINS = ['admin'] as const;
