export { loadCredentials, loadPemCredentials, loadPkcs12Credentials, credentialsFromPem, credentialsFromPkcs12, checkCredentials } from './load-credentials.js';
export type { Credentials, CredentialSource, CredentialCheckOptions, PemCredentialFiles, Pkcs12CredentialFile } from './load-credentials.js';
export { TrustStore, createTrustStore, loadTrustStore, loadTrustStores, chainFailures } from './trust-store.js';
export type { CertificatePurpose, ChainFailure, ChainVerdict, VerifyChainOptions } from './trust-store.js';
export {
  tls12CipherSuites, tls13CipherSuites, ecdhCurves, minimumDhBits, minimumEcdhBits,
  tlsProfileOptions, tlsClientOptions, tlsServerOptions, checkNegotiated, dropIfOutsideProfile,
} from './tls-profile.js';
export type {
  TlsProfile, TlsProfileOptions, TlsClientProfile, TlsServerProfile, NegotiationFailure, NegotiationVerdict, NegotiatedSession, CheckNegotiatedOptions,
} from './tls-profile.js';
export { keyStrength, isStrongKey, minimumKeyBits } from './key-strength.js';
export type { KeyStrength } from './key-strength.js';
export { certificateUsage, extendedKeyUsages } from './certificate-usage.js';
export type { CertificateUsage, KeyUsageName } from './certificate-usage.js';
export { parsePemCertificates } from './pem.js';
export { createTestChain, testChainFiles, defaultTestEstablishment } from './igc-test-chain.js';
export type { TestChain, TestChainOptions, TestCrlOptions, TestCredential, TestChainFile, TestEstablishment } from './igc-test-chain.js';
export { writeTestChain } from './igc-test-chain-write.js';
export type { WriteTestChainOptions } from './igc-test-chain-write.js';
export { CrlCache, createCrlCache, crlDistributionPoints } from './crl-cache.js';
export type { CrlSource, CrlLocation, CrlCacheOptions, CrlEntryStatus } from './crl-cache.js';
