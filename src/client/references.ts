/** Version references as the SDK sends them: `churn@3`, `churn@champion`, or a bare name for the latest. */

export function splitReference(reference: string): { name: string; selector: string } {
  const text = reference.trim();
  const at = text.lastIndexOf('@');
  return at < 0
    ? { name: text, selector: 'latest' }
    : { name: text.slice(0, at), selector: text.slice(at + 1) };
}

/** `/api/v1/<collection>/<name>/versions/<selector>`; the server resolves the selector. */
export function versionPath(collection: 'datasets' | 'models', reference: string): string {
  const { name, selector } = splitReference(reference);
  return `/api/v1/${collection}/${encodeURIComponent(name)}/versions/${encodeURIComponent(selector)}`;
}
