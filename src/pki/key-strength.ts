import type { KeyObject } from 'node:crypto';

/** The size of a public or private key, as ANSSI counts it (RSA modulus bits, EC curve bits). */
export interface KeyStrength { type: string; bits: number; curve?: string }

// OpenSSL names of the curves Relais may meet (IGC Santé issues RSA; EC keys come from other CAs).
const curveBits: Readonly<Record<string, number>> = {
  prime256v1: 256, secp256r1: 256, 'P-256': 256, brainpoolP256r1: 256,
  secp384r1: 384, 'P-384': 384, brainpoolP384r1: 384,
  secp521r1: 521, 'P-521': 521, brainpoolP512r1: 512,
  secp224r1: 224, prime192v1: 192, secp192r1: 192,
};

/** RGS B1 / ANSSI guide: RSA ≥ 2048 bits, elliptic curves ≥ 256 bits. */
export const minimumKeyBits = { rsa: 2048, ec: 256 } as const;

export function keyStrength(key: KeyObject): KeyStrength {
  const type = key.asymmetricKeyType ?? 'unknown';
  const d = key.asymmetricKeyDetails ?? {};
  if (type === 'rsa' || type === 'rsa-pss') return { type, bits: d.modulusLength ?? 0 };
  if (type === 'ec') {
    const curve = d.namedCurve ?? 'unknown';
    return { type, bits: curveBits[curve] ?? 0, curve };
  }
  // Edwards keys have fixed sizes (~128 and ~224 bits of security): both above the EC floor.
  if (type === 'ed25519' || type === 'x25519') return { type, bits: 256 };
  if (type === 'ed448' || type === 'x448') return { type, bits: 448 };
  return { type, bits: 0 };
}

/** Whether a key meets the floor; DSA, DH and unknown types never do. */
export function isStrongKey(s: KeyStrength): boolean {
  if (s.type === 'rsa' || s.type === 'rsa-pss') return s.bits >= minimumKeyBits.rsa;
  if (s.type === 'ec' || s.type.startsWith('ed') || s.type.startsWith('x')) return s.bits >= minimumKeyBits.ec;
  return false;
}

export function describeKey(s: KeyStrength): string {
  return s.curve ? `${s.type} ${s.curve} (${s.bits} bits)` : `${s.type} ${s.bits} bits`;
}
