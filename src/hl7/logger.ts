/** The shared logging surface (domain/logger.ts), re-exported for this layer's files. */
export { silentLogger } from '../domain/index.js';
export type { Logger } from '../domain/index.js';
