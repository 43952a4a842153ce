/**
 * The edge's D1 database (binding `RATE_LIMIT_DB`): the throttles' counters (rate-limit.server.ts) and the owner's
 * sessions (admin/session.server.ts). Each table is created on first use (`CREATE TABLE IF NOT EXISTS`, once per
 * isolate and database), so local dev, the tests and a fresh deployment need no migration step.
 */
import type { SqlDatabase } from "./env";

const created = new WeakMap<SqlDatabase, Map<string, Promise<unknown>>>();

/** Resolves once `ddl` has run on `db` in this isolate; a failure is retried by the next caller. */
export function ensureTable(db: SqlDatabase, ddl: string): Promise<unknown> {
  let tables = created.get(db);
  if (!tables) {
    tables = new Map();
    created.set(db, tables);
  }
  let pending = tables.get(ddl);
  if (!pending) {
    pending = db.prepare(ddl).run();
    pending.catch(() => tables.delete(ddl));
    tables.set(ddl, pending);
  }
  return pending;
}
