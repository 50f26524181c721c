import { BlockList, isIP } from 'node:net';
import { RelaisError } from '../domain/index.js';

/** Allowed peers from a list of exact IPv4/IPv6 addresses and CIDR blocks. An IPv4 peer seen by a
 *  dual-stack socket as '::ffff:a.b.c.d' matches the IPv4 rules (node:net BlockList does this). */
export class PeerFilter {
  readonly #list = new BlockList();

  /** Throws RLS_CONFIG_INVALID naming the entry that is neither an address nor a CIDR block. */
  constructor(entries: readonly string[]) {
    for (const raw of entries) {
      const entry = raw.trim();
      const slash = entry.indexOf('/');
      const address = slash < 0 ? entry : entry.slice(0, slash);
      const family = isIP(address);
      const prefixText = slash < 0 ? '' : entry.slice(slash + 1);
      const prefix = Number(prefixText);
      const maxPrefix = family === 6 ? 128 : 32;
      if (family === 0 || (slash >= 0 && (!/^\d{1,3}$/.test(prefixText) || prefix > maxPrefix))) {
        throw new RelaisError('RLS_CONFIG_INVALID', `allowedPeers: '${entry}' is not an IP address or CIDR block`,
          { key: 'allowedPeers', value: entry });
      }
      const type = family === 6 ? 'ipv6' : 'ipv4';
      if (slash < 0) this.#list.addAddress(address, type);
      else this.#list.addSubnet(address, prefix, type);
    }
  }

  allows(remoteAddress: string | undefined): boolean {
    if (remoteAddress === undefined) return false;
    const family = isIP(remoteAddress);
    if (family === 0) return false;
    return this.#list.check(remoteAddress, family === 6 ? 'ipv6' : 'ipv4');
  }
}
