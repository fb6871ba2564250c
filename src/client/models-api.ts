/** SDK methods for the model registry: one method per REST operation. */
import type { HttpClient } from './http-client.js';

export class ModelsApi {
  constructor(private readonly http: HttpClient) {}

  // SCAFFOLD(registry): create, list, get, delete, versions, register, pull, aliases, approvals, cards.
}
