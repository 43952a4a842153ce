/**
 * The edge's D1 database (binding `RATE_LIMIT_DB`): the throttles' counters (rate-limit.server.ts) and the owner's
 * sessions (admin/session.server.ts). Each table is created on first use (`CREATE TABLE IF NOT EXISTS`), so local
 * dev, the tests and a fresh deployment need no migration step.
 *
 * Nothing of it is shared between requests while it runs: a request that does not yet know the table is there runs
 * the statement itself, within its own request, and only a success is remembered (per isolate and database). A
 * promise shared by the requests of an isolate would belong to the request that started it; cancelled with that
 * request (the client went away), it never settles, and every later login and order lookup would join it for ever
 * (the hazard ./shared-read.ts guards the content reads against, ADR 0002). A statement that fails, or is given up
 * with its request, is simply not remembered: the next request runs it again. The price: on a cold isolate, the
 * requests that arrive together each run the statement once, which D1 answers as a no-op once the table exists.
 * Not worth a shared read with a budget (./shared-read.ts): the statement is idempotent and as quick as the query
 * each caller makes right after it.
 */
import type { SqlDatabase } from "./env";

const created = new WeakMap<SqlDatabase, Set<string>>();

/** Resolves once `ddl` has run on `db`, in this request or an earlier one of this isolate. */
export async function ensureTable(db: SqlDatabase, ddl: string): Promise<void> {
  if (created.get(db)?.has(ddl)) return;
  await db.prepare(ddl).run();
  let tables = created.get(db);
  if (!tables) {
    tables = new Set();
    created.set(db, tables);
  }
  tables.add(ddl);
}
