/** The parsed form of a run search filter and order-by clause. */

export type Entity = 'metric' | 'param' | 'tag' | 'attribute';

export const ATTRIBUTES = [
  'id',
  'name',
  'status',
  'start_time',
  'end_time',
  'parent_run_id',
  'created_by',
  'git_commit',
  'experiment_id',
] as const;
export type Attribute = (typeof ATTRIBUTES)[number];

export type Field =
  | { readonly entity: 'metric' | 'param' | 'tag'; readonly key: string }
  | { readonly entity: 'attribute'; readonly name: Attribute };

export type CompareOp = '=' | '!=' | '<' | '<=' | '>' | '>=' | 'like' | 'ilike';

export type Literal = string | number;

export type Filter =
  | { readonly kind: 'and' | 'or'; readonly items: readonly Filter[] }
  | { readonly kind: 'not'; readonly item: Filter }
  | { readonly kind: 'compare'; readonly field: Field; readonly op: CompareOp; readonly value: Literal }
  | {
      readonly kind: 'in';
      readonly field: Field;
      readonly negated: boolean;
      readonly values: readonly Literal[];
    }
  | { readonly kind: 'present'; readonly field: Field; readonly present: boolean };

export interface OrderTerm {
  readonly field: Field;
  readonly descending: boolean;
}
