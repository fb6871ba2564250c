/** Monitoring: drift statistics and the drift report of two tables; monitors, live metrics and decisions follow. */

export * from './drift/index.js';
export * from './stats/index.js';
export * from './tables/index.js';
