/**
 * Parses run search filters in the MLflow style, extended with `or`, `not` and parentheses:
 *
 *   metrics.accuracy > 0.9 and params.model = 'gbdt' and status = 'finished'
 *   (tags.team = 'ads' or tags.team ilike 'search%') and not metrics.`val/loss` > 1
 *
 * Fields are `metrics.<key>`, `params.<key>`, `tags.<key>` (keys may be quoted with backticks or
 * double quotes) and the run attributes (`status`, `name`, `start_time`, ...). Every error names the
 * position and what was expected.
 */
import { InvalidError } from '../../core/errors.js';
import {
  ATTRIBUTES,
  type Attribute,
  type CompareOp,
  type Field,
  type Filter,
  type Literal,
  type OrderTerm,
} from './filter-ast.js';

type Token =
  | { readonly type: 'word'; readonly text: string; readonly at: number }
  | { readonly type: 'string'; readonly text: string; readonly at: number }
  | { readonly type: 'number'; readonly value: number; readonly text: string; readonly at: number }
  | { readonly type: 'op'; readonly text: string; readonly at: number }
  | { readonly type: 'punct'; readonly text: '(' | ')' | ',' | '.'; readonly at: number }
  | { readonly type: 'end'; readonly at: number };

const ENTITY_PREFIXES: Readonly<Record<string, 'metric' | 'param' | 'tag' | 'attribute'>> = {
  metric: 'metric',
  metrics: 'metric',
  param: 'param',
  params: 'param',
  parameter: 'param',
  parameters: 'param',
  tag: 'tag',
  tags: 'tag',
  attribute: 'attribute',
  attributes: 'attribute',
  attr: 'attribute',
};

const ATTRIBUTE_ALIASES: Readonly<Record<string, Attribute>> = {
  run_id: 'id',
  run_name: 'name',
  user: 'created_by',
  created: 'start_time',
};

const KEY_CHARS = /[A-Za-z0-9_\-./:]/;
/**
 * Bounds on a filter's size. The parser recurses on 'not' and parentheses; SQLite refuses expressions
 * deeper than 1000; and each comparison becomes an EXISTS subquery whose joins PostgreSQL's planner
 * orders at a cost that grows steeply (100 and-ed comparisons plan for seconds, 200 for a minute).
 */
export const MAX_FILTER_DEPTH = 32;
export const MAX_FILTER_COMPARISONS = 20;
export const MAX_FILTER_LIST_VALUES = 1000;

export function parseFilter(text: string): Filter | undefined {
  const parser = new Parser(text);
  if (parser.peek().type === 'end') return undefined;
  const filter = parser.parseOr();
  parser.expectEnd();
  return filter;
}

/** Parses one order-by term: `metrics.accuracy desc`, `start_time`, `params.lr asc`. */
export function parseOrderBy(text: string): OrderTerm {
  const parser = new Parser(text);
  const field = parser.parseField();
  let descending = false;
  const next = parser.peek();
  if (next.type === 'word' && /^(asc|desc)$/i.test(next.text)) {
    descending = next.text.toLowerCase() === 'desc';
    parser.next();
  }
  parser.expectEnd();
  return { field, descending };
}

class Parser {
  private readonly tokens: Token[];
  private index = 0;
  private depth = 0;
  private comparisons = 0;
  private listValues = 0;

  constructor(private readonly text: string) {
    this.tokens = tokenize(text);
  }

  peek(): Token {
    return this.tokens[this.index]!;
  }

  next(): Token {
    const token = this.tokens[this.index]!;
    if (token.type !== 'end') this.index++;
    return token;
  }

  expectEnd(): void {
    const token = this.peek();
    if (token.type !== 'end')
      throw this.error(token, `unexpected ${describe(token)}; expected 'and', 'or' or the end`);
  }

  parseOr(): Filter {
    const items = [this.parseAnd()];
    while (this.isKeyword('or')) {
      this.next();
      items.push(this.parseAnd());
    }
    return items.length === 1 ? items[0]! : { kind: 'or', items };
  }

  private parseAnd(): Filter {
    const items = [this.parseNot()];
    while (this.isKeyword('and')) {
      this.next();
      items.push(this.parseNot());
    }
    return items.length === 1 ? items[0]! : { kind: 'and', items };
  }

  private parseNot(): Filter {
    const token = this.peek();
    if (this.isKeyword('not') || (token.type === 'punct' && token.text === '(')) {
      if (++this.depth > MAX_FILTER_DEPTH)
        throw this.error(token, `'not' and parentheses nest more than ${MAX_FILTER_DEPTH} deep`);
      const nested = this.parseNested();
      this.depth--;
      return nested;
    }
    return this.parseComparison();
  }

  private parseNested(): Filter {
    if (this.isKeyword('not')) {
      this.next();
      return { kind: 'not', item: this.parseNot() };
    }
    this.next();
    const inner = this.parseOr();
    const close = this.next();
    if (close.type !== 'punct' || close.text !== ')')
      throw this.error(close, `expected ')' but found ${describe(close)}`);
    return inner;
  }

  private parseComparison(): Filter {
    if (++this.comparisons > MAX_FILTER_COMPARISONS)
      throw this.error(this.peek(), `a filter holds at most ${MAX_FILTER_COMPARISONS} comparisons`);
    const field = this.parseField();
    const token = this.next();
    if (token.type === 'op') {
      const op = (token.text === '==' ? '=' : token.text === '<>' ? '!=' : token.text) as CompareOp;
      return { kind: 'compare', field, op, value: this.parseLiteral() };
    }
    if (token.type === 'word') {
      const word = token.text.toLowerCase();
      if (word === 'like' || word === 'ilike')
        return { kind: 'compare', field, op: word, value: this.parseLiteral() };
      if (word === 'in') return { kind: 'in', field, negated: false, values: this.parseList() };
      if (word === 'not') {
        const after = this.next();
        if (after.type === 'word' && after.text.toLowerCase() === 'in')
          return { kind: 'in', field, negated: true, values: this.parseList() };
        if (after.type === 'word' && /^i?like$/i.test(after.text)) {
          return {
            kind: 'not',
            item: {
              kind: 'compare',
              field,
              op: after.text.toLowerCase() as CompareOp,
              value: this.parseLiteral(),
            },
          };
        }
        throw this.error(after, `expected 'in' or 'like' after 'not' but found ${describe(after)}`);
      }
      if (word === 'is') {
        let present = false;
        if (this.isKeyword('not')) {
          this.next();
          present = true;
        }
        const nullWord = this.next();
        if (nullWord.type !== 'word' || nullWord.text.toLowerCase() !== 'null') {
          throw this.error(nullWord, `expected 'null' after 'is' but found ${describe(nullWord)}`);
        }
        return { kind: 'present', field, present };
      }
    }
    throw this.error(
      token,
      `expected a comparison (=, !=, <, <=, >, >=, like, ilike, in, is null) after ${fieldText(field)} but found ${describe(token)}`,
    );
  }

  parseField(): Field {
    const token = this.next();
    if (token.type !== 'word')
      throw this.error(
        token,
        `expected a field such as metrics.accuracy or status but found ${describe(token)}`,
      );
    const lower = token.text.toLowerCase();
    const entity = ENTITY_PREFIXES[lower];
    const dot = this.peek();
    if (entity !== undefined && dot.type === 'punct' && dot.text === '.') {
      this.next();
      const key = this.next();
      if (key.type !== 'word' && key.type !== 'string')
        throw this.error(key, `expected a key after '${token.text}.' but found ${describe(key)}`);
      if (entity === 'attribute') return { entity, name: this.attribute(key.text, key) };
      return { entity, key: key.text };
    }
    return { entity: 'attribute', name: this.attribute(lower, token) };
  }

  private attribute(name: string, token: Token): Attribute {
    const resolved = ATTRIBUTE_ALIASES[name] ?? name;
    if ((ATTRIBUTES as readonly string[]).includes(resolved)) return resolved as Attribute;
    throw this.error(
      token,
      `unknown field '${name}'; use metrics.<key>, params.<key>, tags.<key> or one of ${ATTRIBUTES.join(', ')}`,
    );
  }

  private parseLiteral(): Literal {
    const token = this.next();
    if (token.type === 'string') return token.text;
    if (token.type === 'number') return token.value;
    throw this.error(token, `expected a quoted string or a number but found ${describe(token)}`);
  }

  private parseList(): Literal[] {
    const open = this.next();
    if (open.type !== 'punct' || open.text !== '(')
      throw this.error(open, `expected '(' to start a list but found ${describe(open)}`);
    const values = [this.parseLiteral()];
    for (;;) {
      const token = this.next();
      if (token.type === 'punct' && token.text === ')') break;
      if (token.type !== 'punct' || token.text !== ',')
        throw this.error(token, `expected ',' or ')' in a list but found ${describe(token)}`);
      values.push(this.parseLiteral());
    }
    this.listValues += values.length;
    if (this.listValues > MAX_FILTER_LIST_VALUES)
      throw this.error(open, `a filter's lists hold at most ${MAX_FILTER_LIST_VALUES} values in all`);
    return values;
  }

  private isKeyword(word: string): boolean {
    const token = this.peek();
    return token.type === 'word' && token.text.toLowerCase() === word;
  }

  private error(token: Token, message: string): InvalidError {
    return new InvalidError(
      `filter: ${message} (at character ${token.at + 1} of "${this.text}")`,
      { position: token.at },
      'INVALID_FILTER',
    );
  }
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const fail = (message: string, at: number) =>
    new InvalidError(
      `filter: ${message} (at character ${at + 1} of "${text}")`,
      { position: at },
      'INVALID_FILTER',
    );
  while (i < text.length) {
    const char = text[i]!;
    if (/\s/.test(char)) {
      i++;
      continue;
    }
    const at = i;
    if (char === "'" || char === '"' || char === '`') {
      let value = '';
      i++;
      for (;;) {
        if (i >= text.length) throw fail(`unterminated ${char}-quoted text`, at);
        const c = text[i]!;
        if (c === '\\' && i + 1 < text.length) {
          value += text[i + 1];
          i += 2;
        } else if (c === char && text[i + 1] === char) {
          value += char;
          i += 2;
        } else if (c === char) {
          i++;
          break;
        } else {
          value += c;
          i++;
        }
      }
      tokens.push({ type: 'string', text: value, at });
      continue;
    }
    const previous = tokens.at(-1);
    // After `metrics.` a key may hold '-', '.', '/' and ':' (train/loss, val-acc): read it whole.
    if (previous?.type === 'punct' && previous.text === '.') {
      let end = i;
      while (end < text.length && KEY_CHARS.test(text[end]!)) end++;
      if (end === i) throw fail(`expected a key after '.'`, at);
      tokens.push({ type: 'word', text: text.slice(i, end), at });
      i = end;
      continue;
    }
    const number = /^-?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?/i.exec(text.slice(i));
    if (
      number &&
      (char !== '-' || previous === undefined || previous.type === 'op' || previous.type === 'punct')
    ) {
      tokens.push({ type: 'number', value: Number(number[0]), text: number[0], at });
      i += number[0].length;
      continue;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i));
    if (word) {
      tokens.push({ type: 'word', text: word[0], at });
      i += word[0].length;
      continue;
    }
    const op = /^(==|!=|<>|<=|>=|=|<|>)/.exec(text.slice(i));
    if (op) {
      tokens.push({ type: 'op', text: op[0], at });
      i += op[0].length;
      continue;
    }
    if (char === '(' || char === ')' || char === ',' || char === '.') {
      tokens.push({ type: 'punct', text: char, at });
      i++;
      continue;
    }
    throw fail(`unexpected character '${char}'`, at);
  }
  tokens.push({ type: 'end', at: text.length });
  return tokens;
}

function describe(token: Token): string {
  switch (token.type) {
    case 'end':
      return 'the end of the filter';
    case 'string':
      return `'${token.text}'`;
    case 'number':
      return token.text;
    default:
      return `'${token.text}'`;
  }
}

function fieldText(field: Field): string {
  return field.entity === 'attribute' ? field.name : `${field.entity}s.${field.key}`;
}
