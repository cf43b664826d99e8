export { createHttpApp, defaultLimits, type HttpApp, type HttpAppOptions, type HttpLimits } from './app.js';
export { ApiKeyRing, apiKeyEntrySchema, createApiKey, generateApiKey, hashApiKey, roles, type ApiKeyEntry, type Principal, type Role } from './security/api-keys.js';
export { problemTypes, problemTypeUri, PROBLEM_CONTENT_TYPE, type Problem, type ProblemCode } from './http/problems.js';
export { defaultTransportLimits, withTransportLimits, type TransportLimits } from './http/transport-limits.js';
export { commandPath, commandSlug, commandsWithoutRoute, rolesForCommand, routedCommandTypes } from './routes/commands.js';
export { OPENAPI_PATH, DOCS_PATH } from './routes/meta.js';
export { MIN_POSITION_HEADER, POSITION_HEADER, type ReadFreshness } from './http/read-your-writes.js';
export { startServer, DEFAULT_HOST, DEFAULT_PORT, type RunningServer, type StartServerOptions } from './server.js';
export {
  addApiKey,
  ConfigError,
  configFileSchema,
  DEFAULT_DATABASE,
  ensureAdminKey,
  loadServerConfig,
  readConfigFile,
  revokeApiKey,
  type ConfigFile,
  type ServerConfig,
} from './config.js';
export { ServerMetrics } from './operations/metrics.js';
export { METRICS_PATH, LIVE_PATH, READY_PATH } from './operations/routes.js';
export type { ReadModelFollowerStatus, ReadModelHealth } from './operations/status.js';
export { DEFAULT_INSTITUTE, REPORT_PATH, type ReportOptions } from './report/routes.js';
export { CHROMIUM_ARGS, DEBIAN_CHROMIUM, findChromium, htmlToPdf, launchChromium, type ChromiumExecutable, type ChromiumSource } from './report/browser.js';
export { reportHref } from './report/table.js';
