/** SDK methods for drift: `sw.drift.compare({ reference: 'churn-train@3', current: 'churn-live@1' })`. */
import type { DriftCompareRequest, DriftComparison } from '../monitoring/drift-comparison.js';
import { fromWireComparison, type WireDriftComparison } from '../monitoring/schema.js';
import type { HttpClient } from './http-client.js';

export type { DriftCompareRequest, DriftComparison };

export class DriftApi {
  constructor(private readonly http: HttpClient) {}

  /**
   * The drift report of `current` against `reference` (both `dataset@v`), with the resolved
   * references, row counts and ignored columns. Statistics that are NaN or ±Infinity on the wire
   * come back as numbers.
   */
  async compare(request: DriftCompareRequest): Promise<DriftComparison> {
    const wire = await this.http.request<WireDriftComparison>('POST', '/api/v1/drift/compare', {
      body: request,
    });
    return fromWireComparison(wire);
  }
}
