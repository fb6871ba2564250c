/**
 * Roles are ordered: an admin can do what an approver can, an approver (who may approve model
 * versions) what an editor can, an editor what a viewer can.
 */
import type { Actor, Role } from '../core/context.js';
import { ForbiddenError } from '../core/errors.js';

export { ROLES, type Role } from '../core/context.js';

const RANK: Readonly<Record<Role, number>> = { viewer: 0, editor: 1, approver: 2, admin: 3 };

export function hasRole(actor: Actor, required: Role): boolean {
  return RANK[actor.role] >= RANK[required];
}

export function authorise(actor: Actor, required: Role, operation: string): void {
  if (!hasRole(actor, required)) {
    throw new ForbiddenError(
      `${operation} needs the ${required} role; token '${actor.name}' is ${actor.role}`,
      {
        required,
        actual: actor.role,
      },
    );
  }
}
