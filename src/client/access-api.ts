/** SDK methods for tokens and the audit log. */
import type { AuditEvent, CreatedToken, CreateTokenInput, TokenInfo } from '../auth/index.js';
import type { Page, PageRequest } from '../core/pagination.js';
import type { HttpClient } from './http-client.js';

export interface AuditQuery extends PageRequest {
  /** `run` or `run:<id>` */
  readonly resource?: string;
  readonly actor?: string;
  /** `run` (every run.* action) or `run.create` */
  readonly action?: string;
  /** ISO time or a duration such as `15m`, `2h`, `7d`. */
  readonly since?: string;
  readonly until?: string;
}

export class TokensApi {
  constructor(private readonly http: HttpClient) {}

  create(input: CreateTokenInput, options: { idempotencyKey?: string } = {}): Promise<CreatedToken> {
    return this.http.request('POST', '/api/v1/tokens', { body: input, ...options });
  }

  async list(options: { includeRevoked?: boolean } = {}): Promise<readonly TokenInfo[]> {
    const page = await this.http.request<{ items: TokenInfo[] }>('GET', '/api/v1/tokens', {
      query: { includeRevoked: options.includeRevoked },
    });
    return page.items;
  }

  revoke(idOrName: string): Promise<TokenInfo> {
    return this.http.request('DELETE', `/api/v1/tokens/${encodeURIComponent(idOrName)}`);
  }
}

export class AuditApi {
  constructor(private readonly http: HttpClient) {}

  list(query: AuditQuery = {}): Promise<Page<AuditEvent>> {
    return this.http.request('GET', '/api/v1/audit', { query: { ...query } });
  }
}
