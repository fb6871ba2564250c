/**
 * The expression language of `when` and gate conditions, parsed without eval: literals, paths
 * (params.x, steps.s.outputs.o, item), == != < <= > >= && || ! and parentheses. Precedence from
 * loosest: ||, &&, equality, comparison, !. A problem names its 1-based column.
 */
import { isProblem, parseReferencePath } from './references.js';
import type { BinaryOperator, Expression } from './types.js';

type Token =
  | { readonly kind: 'literal'; readonly value: string | number | boolean | null; readonly column: number }
  | { readonly kind: 'path'; readonly text: string; readonly column: number }
  | { readonly kind: 'operator'; readonly text: string; readonly column: number }
  | { readonly kind: 'end'; readonly column: number };

export interface ExpressionProblem {
  readonly problem: string;
  readonly column: number;
}

class ParseFailure extends Error {
  constructor(
    readonly problem: string,
    readonly column: number,
  ) {
    super(problem);
  }
}

const OPERATORS = ['==', '!=', '<=', '>=', '&&', '||', '<', '>', '!', '(', ')'];
const WRAPPED = /^(\s*\$\{\{)(.*)\}\}\s*$/s;

/** Parses `source`; a whole-string `${{ … }}` wrapper (as in GitHub Actions) is accepted and ignored. */
export function parseExpression(source: string): Expression | ExpressionProblem {
  const wrapped = WRAPPED.exec(source);
  const text = wrapped ? wrapped[2]! : source;
  const offset = wrapped ? wrapped[1]!.length : 0;
  try {
    const tokens = tokenize(text, offset);
    const parser = new Parser(tokens);
    const ast = parser.parseOr();
    const next = parser.peek();
    if (next.kind !== 'end') throw new ParseFailure(`unexpected ${describe(next)}`, next.column);
    return ast;
  } catch (error) {
    if (error instanceof ParseFailure) return { problem: error.problem, column: error.column };
    throw error;
  }
}

export function isExpressionProblem(value: Expression | ExpressionProblem): value is ExpressionProblem {
  return 'problem' in value;
}

function tokenize(text: string, offset: number): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const char = text[i]!;
    const column = offset + i + 1;
    if (/\s/.test(char)) {
      i += 1;
      continue;
    }
    if (char === "'" || char === '"') {
      const end = text.indexOf(char, i + 1);
      if (end < 0) throw new ParseFailure('unterminated string', column);
      tokens.push({ kind: 'literal', value: text.slice(i + 1, end), column });
      i = end + 1;
      continue;
    }
    const number = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (number) {
      tokens.push({ kind: 'literal', value: Number(number[0]), column });
      i += number[0].length;
      continue;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*/.exec(text.slice(i));
    if (word) {
      const value = word[0];
      if (value === 'true' || value === 'false')
        tokens.push({ kind: 'literal', value: value === 'true', column });
      else if (value === 'null') tokens.push({ kind: 'literal', value: null, column });
      else tokens.push({ kind: 'path', text: value, column });
      i += value.length;
      continue;
    }
    const operator = OPERATORS.find((candidate) => text.startsWith(candidate, i));
    if (!operator) throw new ParseFailure(`unexpected character '${char}'`, column);
    tokens.push({ kind: 'operator', text: operator, column });
    i += operator.length;
  }
  tokens.push({ kind: 'end', column: offset + text.length + 1 });
  return tokens;
}

class Parser {
  private position = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  peek(): Token {
    return this.tokens[this.position]!;
  }

  parseOr(): Expression {
    return this.parseBinary(['||'], () => this.parseAnd());
  }

  private parseAnd(): Expression {
    return this.parseBinary(['&&'], () => this.parseEquality());
  }

  private parseEquality(): Expression {
    return this.parseBinary(['==', '!='], () => this.parseComparison());
  }

  private parseComparison(): Expression {
    return this.parseBinary(['<', '<=', '>', '>='], () => this.parseUnary());
  }

  private parseBinary(operators: readonly string[], operand: () => Expression): Expression {
    let left = operand();
    for (;;) {
      const token = this.peek();
      if (token.kind !== 'operator' || !operators.includes(token.text)) return left;
      this.position += 1;
      if (this.peek().kind === 'end')
        throw new ParseFailure(`expected a value after '${token.text}'`, this.peek().column);
      const right = operand();
      left = { type: 'binary', operator: token.text as BinaryOperator, left, right, column: token.column };
    }
  }

  private parseUnary(): Expression {
    const token = this.peek();
    if (token.kind === 'operator' && token.text === '!') {
      this.position += 1;
      return { type: 'not', operand: this.parseUnary(), column: token.column };
    }
    return this.parsePrimary();
  }

  private parsePrimary(): Expression {
    const token = this.peek();
    this.position += 1;
    if (token.kind === 'literal') return { type: 'literal', value: token.value, column: token.column };
    if (token.kind === 'path') {
      const ref = parseReferencePath(token.text);
      if (isProblem(ref)) throw new ParseFailure(ref.problem, token.column);
      return { type: 'path', ref, column: token.column };
    }
    if (token.kind === 'operator' && token.text === '(') {
      const inner = this.parseOr();
      const close = this.peek();
      if (close.kind !== 'operator' || close.text !== ')')
        throw new ParseFailure(`expected ')' to close the '(' at column ${token.column}`, close.column);
      this.position += 1;
      return inner;
    }
    throw new ParseFailure(
      token.kind === 'end'
        ? 'expected a value, got the end of the expression'
        : `unexpected ${describe(token)}`,
      token.column,
    );
  }
}

function describe(token: Token): string {
  if (token.kind === 'end') return 'end of the expression';
  if (token.kind === 'operator') return `'${token.text}'`;
  if (token.kind === 'path') return `'${token.text}'`;
  return `${JSON.stringify(token.value)}`;
}
