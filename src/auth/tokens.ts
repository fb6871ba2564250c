/**
 * Bearer tokens. The secret is shown once at creation; only its sha256 is stored. The first start
 * of an empty installation mints an admin token into `$SLIPWAY_HOME/admin.token` (mode 0600).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Clock, parseIsoTime, toIso } from '../core/clock.js';
import type { Actor, RequestContext, Role } from '../core/context.js';
import { ConflictError, InvalidError, NotFoundError, UnauthorizedError } from '../core/errors.js';
import { isId, newId } from '../core/ids.js';
import { normaliseName } from '../core/names.js';
import { type Database, mutate, type Tx } from '../store/index.js';
import type { TokenRow } from '../store/tables.js';
import type { AuditLog } from './audit-log.js';

export interface TokenInfo {
  readonly id: string;
  readonly name: string;
  readonly role: Role;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly expiresAt?: string;
  readonly revokedAt?: string;
  readonly lastUsedAt?: string;
}

export interface CreatedToken extends TokenInfo {
  /** The secret. Shown only in this response; store it now. */
  readonly token: string;
}

export interface CreateTokenInput {
  readonly name: string;
  readonly role: Role;
  /** ISO time after which the token stops working. */
  readonly expiresAt?: string;
}

export const ADMIN_TOKEN_FILE = 'admin.token';
const SECRET_PREFIX = 'swt_';
// A verified token is trusted this long without another lookup; revocation on this server is
// immediate, on other replicas it takes at most this long.
const CACHE_MS = 5_000;
const HASHES_KEPT = 1_000;
const LAST_USED_RESOLUTION_MS = 60_000;

interface CachedActor {
  readonly actor: Actor;
  readonly until: number;
  readonly expiresAt: number | null;
}

export class TokenService {
  private readonly cache = new Map<string, CachedActor>();
  /** Secrets seen lately and their hashes: inference clients send the same token thousands of times a second. */
  private readonly hashes = new Map<string, string>();
  private readonly lastUsedWritten = new Map<string, number>();

  constructor(
    private readonly database: Database,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
  ) {}

  async create(ctx: RequestContext, input: CreateTokenInput): Promise<CreatedToken> {
    const name = normaliseName('token name', input.name);
    const now = this.clock.now();
    const expiresAt = input.expiresAt === undefined ? null : parseIsoTime('expiresAt', input.expiresAt);
    if (expiresAt !== null && expiresAt <= now) {
      throw new InvalidError(`expiresAt must be in the future, got '${input.expiresAt}'`, {
        field: 'expiresAt',
      });
    }
    const secret = SECRET_PREFIX + randomBytes(32).toString('base64url');
    const row: TokenRow = {
      id: newId(now),
      name,
      role: input.role,
      token_hash: hashSecret(secret),
      created_at: now,
      created_by: ctx.actor.name,
      expires_at: expiresAt,
      revoked_at: null,
      last_used_at: null,
    };
    return mutate(this.database, ctx, async (trx) => {
      const clash = await liveTokenNamed(trx, name);
      if (clash !== undefined) {
        throw new ConflictError(
          'TOKEN_EXISTS',
          `a token named '${name}' already exists; revoke it or pick another name`,
          {
            name,
          },
        );
      }
      await trx.insertInto('tokens').values(row).execute();
      const info = toTokenInfo(row);
      await this.audit.record(trx, ctx, {
        action: 'token.create',
        resourceType: 'token',
        resourceId: row.id,
        after: info,
      });
      return { ...info, token: secret };
    });
  }

  async list(options: { includeRevoked?: boolean } = {}): Promise<readonly TokenInfo[]> {
    let select = this.database.db.selectFrom('tokens').selectAll();
    if (options.includeRevoked !== true) select = select.where('revoked_at', 'is', null);
    const rows = await select.orderBy('id', 'desc').execute();
    return rows.map(toTokenInfo);
  }

  /** Revokes by id or name. The last live admin token cannot be revoked: that would lock everyone out. */
  async revoke(ctx: RequestContext, idOrName: string): Promise<TokenInfo> {
    const revoked = await mutate(this.database, ctx, async (trx) => {
      const row = isId(idOrName)
        ? await trx
            .selectFrom('tokens')
            .selectAll()
            .where('id', '=', idOrName)
            .where('revoked_at', 'is', null)
            .executeTakeFirst()
        : await liveTokenNamed(trx, idOrName.toLowerCase());
      if (row === undefined) {
        throw new NotFoundError('TOKEN_NOT_FOUND', `no live token with id or name '${idOrName}'`, {
          token: idOrName,
        });
      }
      if (row.role === 'admin') {
        // Takes the row lock of every live admin token (a no-op update; SQLite has one writer at a
        // time anyway), so concurrent revocations count one after another and cannot, together,
        // revoke the last one.
        const admins = await trx
          .updateTable('tokens')
          .set((eb) => ({ revoked_at: eb.ref('revoked_at') }))
          .where('role', '=', 'admin')
          .where('revoked_at', 'is', null)
          .returning('id')
          .execute();
        if (!admins.some((admin) => admin.id === row.id)) {
          throw new NotFoundError('TOKEN_NOT_FOUND', `no live token with id or name '${idOrName}'`, {
            token: idOrName,
          });
        }
        if (admins.length <= 1) {
          throw new ConflictError(
            'LAST_ADMIN_TOKEN',
            `token '${row.name}' is the last admin token; create another admin token first`,
            {
              token: row.name,
            },
          );
        }
      }
      const now = this.clock.now();
      await trx.updateTable('tokens').set({ revoked_at: now }).where('id', '=', row.id).execute();
      const before = toTokenInfo(row);
      const after = toTokenInfo({ ...row, revoked_at: now });
      await this.audit.record(trx, ctx, {
        action: 'token.revoke',
        resourceType: 'token',
        resourceId: row.id,
        before,
        after,
      });
      return { after, hash: row.token_hash };
    });
    this.cache.delete(revoked.hash);
    return revoked.after;
  }

  /** Resolves a bearer secret to its actor, or throws UnauthorizedError. */
  async authenticate(secret: string | undefined): Promise<Actor> {
    if (secret === undefined || secret === '')
      throw new UnauthorizedError('missing bearer token (Authorization: Bearer <token>)');
    let hash = this.hashes.get(secret);
    if (hash === undefined) {
      if (this.hashes.size >= HASHES_KEPT) this.hashes.clear();
      hash = hashSecret(secret);
      this.hashes.set(secret, hash);
    }
    const now = this.clock.now();
    const cached = this.cache.get(hash);
    if (cached !== undefined && cached.until > now && (cached.expiresAt === null || cached.expiresAt > now)) {
      return cached.actor;
    }
    const row = await this.database.db
      .selectFrom('tokens')
      .selectAll()
      .where('token_hash', '=', hash)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (row === undefined) {
      this.cache.delete(hash);
      throw new UnauthorizedError('unknown or revoked token');
    }
    if (row.expires_at !== null && row.expires_at <= now)
      throw new UnauthorizedError(`token '${row.name}' has expired`);
    const actor: Actor = { name: row.name, role: row.role, tokenId: row.id };
    this.cache.set(hash, { actor, until: now + CACHE_MS, expiresAt: row.expires_at });
    await this.noteUse(row.id, now);
    return actor;
  }

  /**
   * On an installation without any token, creates the `admin` token and writes its secret to
   * `<home>/admin.token` (0600). Returns the file's path when it did.
   */
  async bootstrapAdmin(home: string, ctx: RequestContext): Promise<string | undefined> {
    const existing = await this.database.db
      .selectFrom('tokens')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .executeTakeFirstOrThrow();
    if (Number(existing.count) > 0) return undefined;
    let created: CreatedToken;
    try {
      created = await this.create(ctx, { name: 'admin', role: 'admin' });
    } catch (error) {
      // Another replica bootstrapped the same database at the same moment.
      if (error instanceof ConflictError) return undefined;
      throw error;
    }
    return writeAdminToken(home, created.token);
  }

  private async noteUse(tokenId: string, now: number): Promise<void> {
    if (now - (this.lastUsedWritten.get(tokenId) ?? 0) < LAST_USED_RESOLUTION_MS) return;
    this.lastUsedWritten.set(tokenId, now);
    await this.database.db
      .updateTable('tokens')
      .set({ last_used_at: now })
      .where('id', '=', tokenId)
      .execute();
  }
}

/** Writes a secret to `<home>/admin.token`, readable by the owner only, replacing any older file atomically. */
export async function writeAdminToken(home: string, secret: string): Promise<string> {
  await mkdir(home, { recursive: true });
  const path = join(home, ADMIN_TOKEN_FILE);
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, `${secret}\n`, { mode: 0o600 });
  await rename(temp, path);
  return path;
}

function liveTokenNamed(trx: Tx | Database['db'], name: string): Promise<TokenRow | undefined> {
  return trx
    .selectFrom('tokens')
    .selectAll()
    .where('name', '=', name)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
}

function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

function toTokenInfo(row: TokenRow): TokenInfo {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    createdAt: toIso(row.created_at),
    createdBy: row.created_by,
    ...(row.expires_at === null ? {} : { expiresAt: toIso(row.expires_at) }),
    ...(row.revoked_at === null ? {} : { revokedAt: toIso(row.revoked_at) }),
    ...(row.last_used_at === null ? {} : { lastUsedAt: toIso(row.last_used_at) }),
  };
}
