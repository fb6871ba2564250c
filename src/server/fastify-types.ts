/** What Slipway adds to Fastify's request and route config types. */
import type { Actor, Role } from '../core/context.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The role a caller needs; default viewer for GET/HEAD, editor for everything else. */
    role?: Role;
    /** No token needed (health, readiness, metrics, docs). */
    public?: boolean;
    /**
     * Inference endpoints, answered at thousands per second: their successful requests are logged at
     * debug, not info (metrics and the inference log account for them).
     */
    hotPath?: boolean;
  }
  interface FastifyRequest {
    actor?: Actor;
  }
}
