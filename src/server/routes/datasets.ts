/** SCAFFOLD(datasets work (D1)): routes are added here. */
import type { Platform } from '../../platform.js';
import type { ZodApp } from '../zod-app.js';

export function datasetRoutes(_app: ZodApp, _platform: Platform): void {}
