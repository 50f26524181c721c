/**
 * Certificate revocation lists for the TLS links (MSSanté va1.04/.05, CONF.22; spec digest §A2). Each source is
 * one CA's CRL, downloaded from its distribution point (HTTP) or read from a file; a CRL is kept only when its
 * signature verifies with a CA we trust and it has not expired. A failed or bad download keeps the last valid
 * CRL (CONF.22). Node's `crl` option makes OpenSSL check the whole chain, so every CA of the chain needs one.
 */
import { readFile } from 'node:fs/promises';
import { webcrypto, X509Certificate as NodeX509Certificate } from 'node:crypto';
import * as px from '@peculiar/x509';
import { RelaisError } from '../domain/index.js';
import type { Logger } from '../domain/index.js';
import { silentLogger } from '../domain/index.js';
import type { TrustStore } from './trust-store.js';

export type CrlLocation = { url: string } | { file: string };

/** What a TLS client asks for before it connects: the PEM CRLs to pass as the `crl` option. */
export interface CrlSource {
  /** Refreshes what is due, then returns one valid CRL per source; throws RLS_PKI_CRL when a source has none. */
  crlPem(): Promise<string[]>;
}

export interface CrlCacheOptions {
  /** One location per CA of the chain (root and Organisations CA). */
  locations: readonly CrlLocation[];
  /** The CAs whose signatures a CRL may carry (the peer's trust store). */
  issuers: TrustStore | readonly NodeX509Certificate[];
  /** Download a CRL this long before its nextUpdate (default one hour). */
  refreshMarginMs?: number;
  /** After a failed download, wait this long before trying that source again (default five minutes). */
  retryAfterMs?: number;
  timeoutMs?: number;
  maxBytes?: number;
  /** Replaces the HTTP download (tests). */
  fetchCrl?: (url: string, o: { timeoutMs: number; maxBytes: number }) => Promise<Buffer>;
  now?: () => Date;
  log?: Logger;
}

export interface CrlEntryStatus {
  location: string;
  issuer?: string;
  thisUpdate?: Date;
  nextUpdate?: Date;
  revokedCount?: number;
  lastAttempt?: Date;
  lastError?: string;
}

interface Entry {
  location: CrlLocation;
  crl?: px.X509Crl;
  pem?: string;
  lastAttempt?: number;
  lastError?: string;
}

const describe = (l: CrlLocation): string => ('url' in l ? l.url : l.file);

async function httpFetchCrl(url: string, o: { timeoutMs: number; maxBytes: number }): Promise<Buffer> {
  const res = await fetch(url, { signal: AbortSignal.timeout(o.timeoutMs), redirect: 'follow' });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  const declared = Number(res.headers.get('content-length') ?? '0');
  if (declared > o.maxBytes) throw new Error(`CRL larger than ${o.maxBytes} bytes`);
  const body = Buffer.from(await res.arrayBuffer());
  if (body.length > o.maxBytes) throw new Error(`CRL larger than ${o.maxBytes} bytes`);
  return body;
}

/** PEM or DER (IGC Santé publishes DER `.crl` files). */
function parseCrl(bytes: Buffer): px.X509Crl {
  const text = bytes.toString('latin1');
  return text.includes('-----BEGIN') ? new px.X509Crl(px.PemConverter.decodeFirst(text)) : new px.X509Crl(new Uint8Array(bytes));
}

export class CrlCache implements CrlSource {
  readonly #entries: Entry[];
  readonly #issuers: px.X509Certificate[];
  readonly #o: Required<Pick<CrlCacheOptions, 'refreshMarginMs' | 'retryAfterMs' | 'timeoutMs' | 'maxBytes'>>;
  readonly #fetch: NonNullable<CrlCacheOptions['fetchCrl']>;
  readonly #now: () => Date;
  readonly #log: Logger;
  #refreshing: Promise<void> | undefined;

  constructor(o: CrlCacheOptions) {
    if (o.locations.length === 0) throw new RelaisError('RLS_CONFIG_INVALID', 'a CRL cache needs at least one CRL location', { setting: 'crl' });
    this.#entries = o.locations.map((location) => ({ location }));
    const certs = Array.isArray(o.issuers) ? o.issuers as readonly NodeX509Certificate[]
      : [...(o.issuers as TrustStore).anchors, ...(o.issuers as TrustStore).intermediates];
    this.#issuers = certs.map((c) => new px.X509Certificate(new Uint8Array(c.raw)));
    this.#o = {
      refreshMarginMs: o.refreshMarginMs ?? 3_600_000, retryAfterMs: o.retryAfterMs ?? 300_000,
      timeoutMs: o.timeoutMs ?? 10_000, maxBytes: o.maxBytes ?? 20 * 1024 * 1024,
    };
    this.#fetch = o.fetchCrl ?? httpFetchCrl;
    this.#now = o.now ?? (() => new Date());
    this.#log = (o.log ?? silentLogger).child({ component: 'crl-cache' });
  }

  /** Downloads or reads every source now; keeps the previous CRL of a source whose new one fails. */
  async refresh(): Promise<void> {
    await Promise.all(this.#entries.map((e) => this.#load(e)));
  }

  status(): CrlEntryStatus[] {
    return this.#entries.map((e) => ({
      location: describe(e.location),
      ...(e.crl ? { issuer: e.crl.issuer, thisUpdate: e.crl.thisUpdate, revokedCount: e.crl.entries.length } : {}),
      ...(e.crl?.nextUpdate ? { nextUpdate: e.crl.nextUpdate } : {}),
      ...(e.lastAttempt === undefined ? {} : { lastAttempt: new Date(e.lastAttempt) }),
      ...(e.lastError === undefined ? {} : { lastError: e.lastError }),
    }));
  }

  async crlPem(): Promise<string[]> {
    const now = this.#now().getTime();
    const due = this.#entries.some((e) => this.#isDue(e, now));
    if (due) {
      // One refresh at a time; concurrent connections wait for the same one.
      this.#refreshing ??= Promise.all(this.#entries.filter((e) => this.#isDue(e, now)).map((e) => this.#load(e)))
        .then(() => undefined).finally(() => { this.#refreshing = undefined; });
      await this.#refreshing;
    }
    const at = this.#now();
    return this.#entries.map((e) => {
      if (!e.crl || !e.pem) {
        throw new RelaisError('RLS_PKI_CRL', `no valid CRL from ${describe(e.location)}${e.lastError ? `: ${e.lastError}` : ''}`,
          { location: describe(e.location), reason: 'missing', lastError: e.lastError });
      }
      if (!e.crl.nextUpdate || e.crl.nextUpdate <= at) {
        throw new RelaisError('RLS_PKI_CRL', `the CRL from ${describe(e.location)} expired on ${e.crl.nextUpdate?.toISOString() ?? '?'} and no newer one could be obtained${e.lastError ? ` (${e.lastError})` : ''}`,
          { location: describe(e.location), reason: 'expired', nextUpdate: e.crl.nextUpdate?.toISOString(), lastError: e.lastError });
      }
      return e.pem;
    });
  }

  #isDue(e: Entry, now: number): boolean {
    const next = e.crl?.nextUpdate?.getTime();
    const wanted = next === undefined || next - now <= this.#o.refreshMarginMs;
    const mayRetry = e.lastAttempt === undefined || e.lastError === undefined || now - e.lastAttempt >= this.#o.retryAfterMs;
    return wanted && mayRetry;
  }

  async #load(e: Entry): Promise<void> {
    const where = describe(e.location);
    e.lastAttempt = this.#now().getTime();
    try {
      const bytes = 'url' in e.location
        ? await this.#fetch(e.location.url, { timeoutMs: this.#o.timeoutMs, maxBytes: this.#o.maxBytes })
        : await readFile(e.location.file);
      const crl = await this.#verify(bytes);
      // A replay of an older CRL must not replace a newer one.
      if (!e.crl || crl.thisUpdate >= e.crl.thisUpdate) {
        e.crl = crl;
        // OpenSSL reads only the `X509 CRL` PEM label.
        e.pem = `${px.PemConverter.encode(crl.rawData, 'X509 CRL')}\n`;
      }
      e.lastError = undefined;
      this.#log.info({ location: where, thisUpdate: crl.thisUpdate.toISOString(), nextUpdate: crl.nextUpdate?.toISOString(), revoked: crl.entries.length }, 'CRL loaded');
    } catch (err) {
      e.lastError = (err as Error).message;
      this.#log.warn({ location: where, err: e.lastError, keeping: e.crl?.thisUpdate.toISOString() }, 'CRL download failed; keeping the last valid one');
    }
  }

  async #verify(bytes: Buffer): Promise<px.X509Crl> {
    let crl: px.X509Crl;
    try {
      crl = parseCrl(bytes);
    } catch (err) {
      throw new Error(`not a CRL: ${(err as Error).message}`);
    }
    const issuer = this.#issuers.find((c) => c.subject === crl.issuer);
    if (!issuer) throw new Error(`CRL issuer ${crl.issuer} is not a trusted CA`);
    if (!(await crl.verify({ publicKey: issuer }, webcrypto as unknown as Parameters<px.X509Crl['verify']>[1]))) throw new Error(`CRL signature of ${crl.issuer} does not verify`);
    const now = this.#now();
    if (crl.thisUpdate.getTime() > now.getTime() + 300_000) throw new Error(`CRL of ${crl.issuer} is not valid before ${crl.thisUpdate.toISOString()}`);
    if (!crl.nextUpdate) throw new Error(`CRL of ${crl.issuer} has no nextUpdate`);
    if (crl.nextUpdate <= now) throw new Error(`CRL of ${crl.issuer} expired on ${crl.nextUpdate.toISOString()}`);
    return crl;
  }
}

export function createCrlCache(o: CrlCacheOptions): CrlCache {
  return new CrlCache(o);
}

/**
 * The HTTP(S) CRL distribution points named in a certificate (RFC 5280 §4.2.1.13): in a CA certificate they locate
 * its issuer's CRL, in a leaf its own CA's. Configuration can build CrlCache locations from them.
 */
export function crlDistributionPoints(cert: NodeX509Certificate): string[] {
  const ext = new px.X509Certificate(new Uint8Array(cert.raw)).getExtension(px.CRLDistributionPointsExtension);
  if (!ext) return [];
  const urls: string[] = [];
  for (const point of ext.distributionPoints) {
    for (const name of point.distributionPoint?.fullName ?? []) {
      const uri = name.uniformResourceIdentifier;
      if (uri && /^https?:\/\//i.test(uri)) urls.push(uri);
    }
  }
  return urls;
}
