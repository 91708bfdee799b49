/**
 * `volt`: the public surface. Re-exports only; batteries (ORM, auth, admin) live behind
 * their own subpath imports, so an app without them loads none of their code.
 */
export {
  type AppCheck,
  type AppDefinition,
  type CheckFinding,
  defineApp,
  type InstalledApp,
} from './apps/define-app.ts';
export { ERROR_CODES, type ErrorCode, type ErrorCodeInfo } from './codes.ts';
export {
  type ApiInfo,
  type ApiServer,
  type AppOptions,
  type HookMap,
  type HookPhase,
  type RequestHook,
  VoltApp,
} from './http/app.ts';
export { Context } from './http/context.ts';
export {
  type Dependency,
  type DependencyContext,
  type DependencyMap,
  type DependencyOptions,
  type DependencyValues,
  dependency,
} from './http/dependencies.ts';
export type { ErrorMapper } from './http/error-handler.ts';
export {
  type ErrorLocation,
  type FieldError,
  HttpError,
  type HttpErrorOptions,
  PROBLEM_CONTENT_TYPE,
  type ProblemDetails,
  RequestValidationError,
} from './http/errors.ts';
export { escapeHtml, Html, html, unsafeHtml } from './http/html.ts';
export { currentContext } from './http/request-context.ts';
export type {
  Handler,
  HandlerResult,
  HttpMethod,
  PathParams,
  ResponseMap,
  RouteContext,
  RouteDocs,
  RouteOptions,
  RouteRecord,
  SecurityRequirement,
} from './http/route.ts';
export type { JoinPaths, RouteMark, RoutesOf, RouteTypes } from './http/route-types.ts';
export { Router, type RouterOptions, type RouteShorthand } from './http/router.ts';
export {
  type LoadSettingsOptions,
  type LogLevel,
  loadSettings,
  parseDuration,
  type Settings,
  SettingsError,
  type SettingsProblem,
  type SettingsProblemCode,
  type TrustProxy,
  type VoltEnv,
} from './http/settings.ts';
export {
  ServerSentEvent,
  type SseOptions,
  type StreamBody,
  type StreamOptions,
  sseEvent,
} from './http/streaming.ts';
export { type DocsOptions, registerDocs } from './openapi/docs-ui.ts';
export {
  type OpenApiDocument,
  OpenApiError,
  type OpenApiErrorCode,
  openapiDocument,
} from './openapi/openapi.ts';
export { type Static, type TObject, type TSchema, t } from './openapi/t.ts';
export {
  type CspDirectives,
  clientKey,
  cspNonce,
  DEFAULT_CSP_DIRECTIVES,
  FORM_MAX_FIELDS,
  type FormBody,
  installSecurity,
  MemoryThrottleStore,
  type MemoryThrottleStoreOptions,
  type RateLimitOptions,
  type RateLimitState,
  type RedisClient,
  RedisGuard,
  type RedisGuardOptions,
  type RedisOutageLogger,
  RedisThrottleStore,
  type RedisThrottleStoreOptions,
  rateLimit,
  type SafeRedirectOptions,
  type SecurityHeadersOptions,
  type SecurityOptions,
  Signer,
  type SignerOptions,
  StoreUnavailableError,
  safeRedirectUrl,
  Throttle,
  type ThrottleOptions,
  type ThrottleStore,
  type ThrottleVerdict,
  type ThrottleWindow,
} from './security/index.ts';
export { App, type ContextOf, type DatabaseOption, type VoltOptions, volt } from './volt.ts';
