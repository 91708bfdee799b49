/**
 * `voltjs/auth`: users, groups and permissions; passwords; sessions, API tokens and CSRF;
 * password reset and mail. Only apps that install `auth()` get its tables and routes.
 */
export {
  AUTH_SECURITY,
  type Auth,
  type AuthContext,
  type AuthOptions,
  auth,
  type LoginLimits,
} from './auth.ts';
export {
  checkUserModel,
  type PasswordChangeHook,
  saveUserFields,
  type UserRow,
} from './config.ts';
export { CSRF_FIELD, CSRF_HEADER } from './csrf.ts';
export {
  type CheckedMessage,
  ConsoleMailBackend,
  checkMessage,
  checkMessages,
  type EmailMessage,
  FileMailBackend,
  type MailBackend,
  MailDeliveryError,
  MailMessageError,
  MemoryMailBackend,
  mailBackendFromSettings,
  type ParsedAddress,
  parseAddress,
  type SendMailOptions,
  SmtpMailBackend,
  type SmtpOptions,
  sendMail,
  smtpOptionsFromUrl,
} from './mail/index.ts';
export {
  Group,
  Permission,
  Session,
  Token,
  User,
  type UserFields,
  type UserModel,
  userFields,
  userModel,
} from './models.ts';
export {
  commonPassword,
  commonPasswordList,
  DEFAULT_PASSWORD_VALIDATORS,
  minimumLength,
  numericPassword,
  type PasswordContext,
  type PasswordValidator,
  type SimilarityOptions,
  similarity,
  userAttributeSimilarity,
  validatePassword,
} from './password-validators.ts';
export {
  changePassword,
  createUser,
  DEFAULT_PASSWORD_PARAMS,
  dummyVerify,
  hashPassword,
  isUsablePassword,
  makeUnusablePassword,
  type NewUser,
  needsRehash,
  type PasswordChangeOptions,
  type PasswordParams,
  setPassword,
  type VerifyResult,
  verifyAndUpgrade,
  verifyPassword,
} from './passwords.ts';
export {
  AnonymousUser,
  type AuthUser,
  CurrentUser,
  type CurrentUserOptions,
  createPermissions,
  permissionName,
} from './permissions.ts';
export {
  type Action,
  can,
  narrowed,
  Policies,
  type Policy,
  PolicyError,
  type PolicyRule,
  type ScopeFilter,
  scoped,
  scopeOf,
} from './policies.ts';
export {
  RedisSessionStore,
  type RedisSessionStoreOptions,
} from './redis-session-store.ts';
export { UnknownPermissionError } from './required-permissions.ts';
export {
  type CheckResetTokenOptions,
  checkResetToken,
  makeResetToken,
  type ResetTokenUser,
  resetTokenUserId,
} from './reset-tokens.ts';
export { SessionData } from './session-data.ts';
export {
  assertSessionKey,
  DatabaseSessionStore,
  MemorySessionStore,
  type MemorySessionStoreOptions,
  type SessionRecord,
  type SessionStore,
  sessionKey,
} from './session-store.ts';
export { type RequestSession, Sessions } from './sessions.ts';
export {
  type CreateTokenOptions,
  createToken,
  listTokens,
  revokeToken,
  revokeUserTokens,
  TOKEN_PREFIX,
  type TokenRecord,
  verifyToken,
} from './tokens.ts';
