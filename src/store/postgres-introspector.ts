/**
 * Introspection limited to the installation's own schema. Kysely's Migrator asks the introspector
 * whether its bookkeeping tables exist; the stock PostgreSQL introspector answers by reading every
 * table of every schema, and that catalog scan fails ("schema ... does not exist") whenever anyone
 * drops some other schema at the same moment, so a server could fail to start because of unrelated
 * work in a shared database. This one reads only `current_schema()`, with plain catalog joins.
 */
import {
  type ColumnMetadata,
  type DatabaseIntrospector,
  type DatabaseMetadata,
  type DatabaseMetadataOptions,
  DEFAULT_MIGRATION_LOCK_TABLE,
  DEFAULT_MIGRATION_TABLE,
  type Kysely,
  type SchemaMetadata,
  sql,
  type TableMetadata,
} from 'kysely';

interface ColumnRow {
  readonly schema: string;
  readonly table: string;
  readonly kind: string;
  readonly column: string | null;
  readonly type: string | null;
  readonly type_schema: string | null;
  readonly not_null: boolean | null;
  readonly has_default: boolean | null;
  readonly identity: string | null;
}

const KYSELY_TABLES = new Set([DEFAULT_MIGRATION_TABLE, DEFAULT_MIGRATION_LOCK_TABLE]);

export class SchemaScopedIntrospector implements DatabaseIntrospector {
  constructor(private readonly db: Kysely<unknown>) {}

  async getSchemas(): Promise<SchemaMetadata[]> {
    const { rows } = await sql<SchemaMetadata>`select nspname as name from pg_catalog.pg_namespace`.execute(
      this.db,
    );
    return rows.map((row) => ({ name: row.name }));
  }

  async getTables(
    options: DatabaseMetadataOptions = { withInternalKyselyTables: false },
  ): Promise<TableMetadata[]> {
    const { rows } = await sql<ColumnRow>`
      select n.nspname as schema, c.relname as table, c.relkind as kind, a.attname as column,
             t.typname as type, tn.nspname as type_schema, a.attnotnull as not_null,
             a.atthasdef as has_default, a.attidentity as identity
      from pg_catalog.pg_namespace n
      join pg_catalog.pg_class c on c.relnamespace = n.oid and c.relkind in ('r', 'p', 'v', 'm')
      left join pg_catalog.pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
      left join pg_catalog.pg_type t on t.oid = a.atttypid
      left join pg_catalog.pg_namespace tn on tn.oid = t.typnamespace
      where n.nspname = current_schema()
      order by c.relname, a.attnum`.execute(this.db);
    const tables = new Map<string, { schema: string; isView: boolean; columns: ColumnMetadata[] }>();
    for (const row of rows) {
      if (!options.withInternalKyselyTables && KYSELY_TABLES.has(row.table)) continue;
      let table = tables.get(row.table);
      if (table === undefined) {
        table = { schema: row.schema, isView: row.kind === 'v' || row.kind === 'm', columns: [] };
        tables.set(row.table, table);
      }
      if (row.column === null) continue;
      table.columns.push({
        name: row.column,
        dataType: row.type ?? 'unknown',
        ...(row.type_schema === null ? {} : { dataTypeSchema: row.type_schema }),
        isNullable: row.not_null !== true,
        hasDefaultValue: row.has_default === true || (row.identity ?? '') !== '',
        isAutoIncrementing: (row.identity ?? '') !== '',
      });
    }
    return [...tables].map(([name, table]) => ({ name, ...table }));
  }

  async getMetadata(options?: DatabaseMetadataOptions): Promise<DatabaseMetadata> {
    return { tables: await this.getTables(options) };
  }
}
