/** SDK methods for datasets: one method per REST operation. */
import type { HttpClient } from './http-client.js';

export class DatasetsApi {
  constructor(private readonly http: HttpClient) {}

  // SCAFFOLD(D1): push, list, get, versions, profile, rows, download, tag … go here.

  // SCAFFOLD(D2): diff, validate, validation reports go here.
}
