/** SCAFFOLD(dataset diff and validation work (D2)): routes are added here. */
import type { Platform } from '../../platform.js';
import type { ZodApp } from '../zod-app.js';

export function datasetCheckRoutes(_app: ZodApp, _platform: Platform): void {}
