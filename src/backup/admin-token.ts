/** After a restore: a fresh admin token written to `<home>/admin.token`, audited like any other. */
import { type TokenService, writeAdminToken } from '../auth/index.js';
import { systemContext } from '../core/context.js';
import { ConflictError } from '../core/errors.js';
import { newId } from '../core/ids.js';

export interface MintedToken {
  readonly name: string;
  readonly path: string;
}

/** Named `restored-admin` (or `restored-admin-2`… when the backup already has a live one by that name). */
export async function mintAdminToken(tokens: TokenService, home: string): Promise<MintedToken> {
  for (let attempt = 1; ; attempt++) {
    const name = attempt === 1 ? 'restored-admin' : `restored-admin-${attempt}`;
    try {
      const created = await tokens.create(systemContext(newId()), { name, role: 'admin' });
      return { name, path: await writeAdminToken(home, created.token) };
    } catch (error) {
      if (!(error instanceof ConflictError) || attempt >= 100) throw error;
    }
  }
}
