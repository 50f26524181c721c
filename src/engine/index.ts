export { IntakeService } from './intake-service.js';
export type { IntakeOptions, IntakePeer, IntakeResult, IntakeOutcome } from './intake-service.js';
export { startRelais } from './relais-runtime.js';
export type { RunningRelais } from './relais-runtime.js';
export { createControlIdGenerator } from './control-ids.js';
export { silentLogger } from './logger.js';
export type { Logger } from './logger.js';
