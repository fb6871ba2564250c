/** The public face of pipelines. So far: the definition model (issue 6's first slice). */
export * from './definition/index.js';
