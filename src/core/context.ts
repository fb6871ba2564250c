/** Who is asking, and under which request id: passed to every mutating service call for the audit log. */

/** In rank order: each role can do what the ones before it can. An approver may also approve model versions. */
export const ROLES = ['viewer', 'editor', 'approver', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface Actor {
  /** The token's name; audit events record it. */
  readonly name: string;
  readonly role: Role;
  readonly tokenId?: string;
}

export interface RequestContext {
  readonly actor: Actor;
  readonly requestId: string;
  /** Set when the caller sent an Idempotency-Key on a creating request. */
  readonly idempotency?: { readonly key: string; readonly scope: string; readonly fingerprint: string };
}

/** For work the server does on its own behalf (start-up bootstrap, restore). */
export function systemContext(requestId: string): RequestContext {
  return { actor: { name: 'system', role: 'admin' }, requestId };
}

/** Work schedulers start on their own (cron ticks, triggers): audit events say `scheduler`. */
export const SCHEDULER_CONTEXT: RequestContext = {
  actor: { name: 'scheduler', role: 'editor' },
  requestId: 'scheduler',
};
