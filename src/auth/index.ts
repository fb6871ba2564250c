export { type AuditEvent, type AuditFilter, AuditLog, type AuditRecord, parseTime } from './audit-log.js';
export { authorise, hasRole, ROLES, type Role } from './roles.js';
export {
  ADMIN_TOKEN_FILE,
  type CreatedToken,
  type CreateTokenInput,
  type TokenInfo,
  TokenService,
  writeAdminToken,
} from './tokens.js';
