export { startAdminApi } from './admin-api.js';
export type { AdminApi } from './admin-api.js';
export { startConsole, buildConsole, BODY_LIMIT_BYTES } from './server.js';
export type { ConsoleOptions, RunningConsole } from './server.js';
export { html, escapeHtml } from './html.js';
export type { SafeHtml } from './html.js';
export { createOidcLogin, oidcSettings, OIDC_CALLBACK_PATH } from './oidc-login.js';
export type { OidcLogin, OidcIdentity } from './oidc-login.js';
