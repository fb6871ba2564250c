/** SCAFFOLD(lineage work): routes are added here. */
import type { Platform } from '../../platform.js';
import type { ZodApp } from '../zod-app.js';

export function lineageRoutes(_app: ZodApp, _platform: Platform): void {}
