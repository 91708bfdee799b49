/**
 * The security part: response headers, the Host check, input limits for forms, safe
 * redirects, throttling, signing and the deployment checks.
 */
export { clientKey } from './client-ip.ts';
export { crossSiteCheck, exactOrigin } from './fetch-metadata.ts';
export { FORM_CONTENT_TYPE, FORM_MAX_FIELDS, type FormBody, parseForm } from './form-body.ts';
export {
  type CspDirectives,
  cspNonce,
  DEFAULT_CSP_DIRECTIVES,
  DEFAULT_PERMISSIONS_POLICY,
  formatCsp,
  type SecurityHeadersOptions,
  securityHeaders,
} from './headers.ts';
export { type HostCheck, hostCheck, hostOf } from './hosts.ts';
export { installSecurity, type SecurityOptions } from './install.ts';
export { type SafeRedirectOptions, safeRedirectUrl } from './redirects.ts';
export { isRedisClient, type RedisClient, redisCommand } from './redis-client.ts';
export {
  RedisGuard,
  type RedisGuardOptions,
  type RedisOutageLogger,
  StoreUnavailableError,
} from './redis-guard.ts';
export {
  RedisThrottleStore,
  type RedisThrottleStoreOptions,
} from './redis-throttle-store.ts';
export { Signer, type SignerOptions } from './signing.ts';
export {
  type RateLimitOptions,
  type RateLimitState,
  rateLimit,
  Throttle,
  type ThrottleOptions,
  type ThrottleVerdict,
} from './throttle.ts';
export {
  MemoryThrottleStore,
  type MemoryThrottleStoreOptions,
  type ThrottleStore,
  type ThrottleWindow,
} from './throttle-store.ts';
