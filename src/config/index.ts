export { loadConfig } from './config-load.js';
export type { LoadOptions } from './config-load.js';
export { configSchema } from './config-schema.js';
export { mssMatrixProfileNames, logLevels } from './config-types.js';
export type {
  RelaisConfig, EstablishmentConfig, StoreConfig, MllpConfig, MllpListenerConfig, TlsFiles, IntakeConfig,
  LogConfig, SecurityConfig, ConsoleConfig, OidcConfig, MssMatrixProfileName, DmpConfig, DpiConfig, MssConfig, MailboxConfig, DirectoryEntryConfig, CareUnitConfig,
} from './config-types.js';
