/**
 * Measurement aid only (`--sync normal`): preloaded into the server child, it makes SQLite
 * connections use synchronous=NORMAL instead of Slipway's FULL, to show what durability costs.
 * NORMAL in WAL mode may lose the last acknowledged commits on power loss; Slipway never runs so.
 */
import BetterSqlite3 from 'better-sqlite3';

const pragma = BetterSqlite3.prototype.pragma;
BetterSqlite3.prototype.pragma = function relaxed(this: BetterSqlite3.Database, source: string, options) {
  return pragma.call(
    this,
    /^synchronous\s*=\s*full$/i.test(source.trim()) ? 'synchronous = NORMAL' : source,
    options,
  );
} as typeof pragma;
