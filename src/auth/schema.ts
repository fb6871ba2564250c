/** HTTP schemas of tokens, identity and the audit log. */
import { z } from 'zod';
import { PageQuerySchema, pageSchema } from '../core/wire.js';
import { ROLES } from './roles.js';

const Iso = z.string().describe('ISO 8601 UTC time');

export const TokenInfoSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    role: z.enum(ROLES),
    createdAt: Iso,
    createdBy: z.string(),
    expiresAt: Iso.optional(),
    revokedAt: Iso.optional(),
    lastUsedAt: Iso.optional(),
  })
  .meta({ id: 'TokenInfo' });

export const CreatedTokenSchema = TokenInfoSchema.extend({
  token: z.string().describe('The secret; shown only in this response'),
}).meta({ id: 'CreatedToken' });

export const CreateTokenBody = z.strictObject({
  name: z.string(),
  role: z.enum(ROLES),
  expiresAt: Iso.optional(),
});

export const ListTokensQuery = z.strictObject({
  includeRevoked: z.enum(['true', 'false']).optional(),
});

export const TokenList = z.object({ items: z.array(TokenInfoSchema).readonly() });

export const WhoamiSchema = z.object({
  name: z.string(),
  role: z.enum(ROLES),
  tokenId: z.string().optional(),
});

export const AuditEventSchema = z
  .object({
    id: z.string(),
    at: Iso,
    actor: z.string(),
    action: z.string(),
    resourceType: z.string(),
    resourceId: z.string(),
    before: z.unknown().optional(),
    after: z.unknown().optional(),
    requestId: z.string(),
  })
  .meta({ id: 'AuditEvent' });

export const AuditQuery = PageQuerySchema.extend({
  resource: z.string().optional().describe("'run' or 'run:<id>'"),
  actor: z.string().optional(),
  action: z.string().optional().describe("'run' (every run.*) or 'run.create'"),
  since: z.string().optional().describe('ISO time or a duration such as 15m, 2h, 7d'),
  until: z.string().optional(),
}).strict();

export const AuditPage = pageSchema(AuditEventSchema);
