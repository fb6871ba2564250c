/** SDK method for the lineage graph. */
import type { LineageGraph, LineageQueryInput } from '../lineage/index.js';
import type { HttpClient } from './http-client.js';

export class LineageApi {
  constructor(private readonly http: HttpClient) {}

  /** `sw.lineage.get({ node: 'model:churn@champion', direction: 'upstream' })` */
  get(input: LineageQueryInput): Promise<LineageGraph> {
    return this.http.request('GET', '/api/v1/lineage', { query: { ...input } });
  }
}
