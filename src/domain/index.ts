export { RelaisError, isRelaisError, errorCatalogue, errorKinds } from './errors.js';
export type { ErrorCode, ErrorKind } from './errors.js';
export { metaFlagCodes, mailBodyCodes } from './flags.js';
export type { MetaFlagCode, MetaFlags, MailBodyCode } from './flags.js';
export { documentActions, destinationKinds } from './document.js';
export type { DocumentAction, DestinationKind } from './document.js';
export { deliveryStates, canTransition, isFinal } from './delivery-state.js';
export type { DeliveryState } from './delivery-state.js';
export { planDeliveries } from './delivery-plan.js';
export type { PlannedDelivery, PlannedRecipient } from './delivery-plan.js';
export { silentLogger } from './logger.js';
export { accountRoles, auditResults } from './account.js';
export type {
  AccountRole, AuditResult, PasswordPolicy, HashingSettings, SessionSettings, TotpSettings, SecuritySettings,
} from './account.js';
export type { Logger } from './logger.js';
