/** Monitoring: drift statistics so far (issue 7's first slice); monitors, reports and decisions follow. */
export * from './stats/index.js';
