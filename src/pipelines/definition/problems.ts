/**
 * Collects every problem in a definition so the user fixes them in one pass, then throws one
 * InvalidError listing them. A problem's path is kept as segments so the YAML front end can map it
 * to a line and column; messages label steps by name as well as index: `steps[2] (train).inputs.x`.
 */
import { InvalidError } from '../../core/errors.js';

export type PathSegment = string | number;
export type Path = readonly PathSegment[];

export interface Problem {
  readonly field: string;
  readonly message: string;
  readonly line?: number;
  readonly column?: number;
}

export interface Position {
  readonly line: number;
  readonly column: number;
}

export class Problems {
  private readonly found: { path: Path; text: string; position?: Position }[] = [];
  private stepNames: readonly unknown[] = [];

  /** Names to show beside `steps[i]` in messages, as the user wrote them. */
  labelStepsWith(stepNames: readonly unknown[]): void {
    this.stepNames = stepNames;
  }

  /** `position` is given when it is known without a path, e.g. a YAML syntax error. */
  add(path: Path, text: string, position?: Position): void {
    this.found.push({ path, text, ...(position ? { position } : {}) });
  }

  get count(): number {
    return this.found.length;
  }

  /** Throws when anything was found; `locate` maps a path to where it was written. */
  throwIfAny(locate?: (path: Path) => Position | undefined, file?: string): void {
    if (this.found.length === 0) return;
    const problems: Problem[] = this.found.map(({ path, text, position: known }) => {
      const position = known ?? locate?.(path);
      const where = !position
        ? ''
        : file
          ? `${file}:${position.line}:${position.column}: `
          : `line ${position.line}, column ${position.column}: `;
      return { field: formatField(path), message: `${where}${this.label(path)}: ${text}`, ...position };
    });
    const [first] = problems as [Problem, ...Problem[]];
    const message =
      problems.length === 1
        ? first.message
        : `invalid pipeline (${problems.length} problems):\n  ${problems.map((p) => p.message).join('\n  ')}`;
    throw new InvalidError(message, {
      field: first.field,
      ...(first.line === undefined ? {} : { line: first.line, column: first.column }),
      problems,
    });
  }

  private label(path: Path): string {
    if (path.length === 0) return 'pipeline';
    const [head, index] = path;
    const name = head === 'steps' && typeof index === 'number' ? this.stepNames[index] : undefined;
    if (typeof name !== 'string' || name === '') return formatField(path);
    return `steps[${index}] (${name})${formatField(path.slice(2), true)}`;
  }
}

/** `steps[2].inputs.dataset`; with `continued`, the leading dot is kept for appending. */
export function formatField(path: Path, continued = false): string {
  let text = '';
  for (const segment of path) text += typeof segment === 'number' ? `[${segment}]` : `.${segment}`;
  return continued ? text : text.replace(/^\./, '');
}
