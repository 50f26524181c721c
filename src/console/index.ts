export { startAdminApi } from './admin-api.js';
export type { AdminApi } from './admin-api.js';
