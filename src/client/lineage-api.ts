/** SDK method for the lineage graph. */
import type { HttpClient } from './http-client.js';

export class LineageApi {
  constructor(private readonly http: HttpClient) {}
}
