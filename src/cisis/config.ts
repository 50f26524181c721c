import type { VoletAConfig } from './types.js';

/**
 * Defaults: the lenient MSS matrix (volet A §7 C1: ANS's own wave 2 examples fail the literal matrix),
 * QUAL and VALI as qualified identities (§7 C9: every ANS example sends VALI with an INS),
 * the INS-NIR / INS-NIA OIDs, production and test (§2.4.3), and a 20 MiB document cap.
 */
export const defaultVoletAConfig: VoletAConfig = Object.freeze({
  mssMatrixProfile: 'lenient',
  qualifiedIdentityCodes: Object.freeze(['QUAL', 'VALI']),
  insOids: Object.freeze(['1.2.250.1.213.1.4.8', '1.2.250.1.213.1.4.9', '1.2.250.1.213.1.4.10', '1.2.250.1.213.1.4.11']),
  maxDocumentBytes: 20 * 1024 * 1024,
  cdaCheck: 'full',
});
