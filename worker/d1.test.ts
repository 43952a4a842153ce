import { env as workerEnv } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { startAdminSession } from "./admin/session.server";
import type { BffContext } from "./context";
import { ensureTable } from "./d1.server";
import type { SqlDatabase } from "./env";
import { countAttempt } from "./rate-limit.server";
import { testEnv } from "./test/helpers";

const d1 = (workerEnv as { RATE_LIMIT_DB: SqlDatabase }).RATE_LIMIT_DB;

type Run = "stuck" | "fail" | "real";

/**
 * The real database, except for schema statements (CREATE …): each one's `run()` takes the next behaviour from
 * `runs` (then the real one), and is counted. "stuck" never settles: what a statement started by a request the
 * runtime then cancelled (its client went away) looks like to anyone awaiting it afterwards.
 */
function scriptedSchema(...runs: Run[]) {
  const schemaRuns: string[] = [];
  const db: SqlDatabase = {
    prepare(sql) {
      const statement = d1.prepare(sql);
      if (!/^\s*CREATE\b/i.test(sql)) return statement;
      return {
        ...statement,
        bind: (...values: unknown[]) => statement.bind(...values),
        first: () => statement.first(),
        run: () => {
          schemaRuns.push(sql);
          const behaviour = runs.shift() ?? "real";
          if (behaviour === "stuck") return new Promise<never>(() => {});
          if (behaviour === "fail") return Promise.reject(new Error("D1_ERROR: Network connection lost."));
          return statement.run();
        },
      };
    },
    batch: (statements) => d1.batch(statements),
  };
  return { db, schemaRuns };
}

const tableName = () => `t_${crypto.randomUUID().replaceAll("-", "")}`;
const exists = async (name: string) =>
  (await d1.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?1").bind(name).first()) !== null;

describe("ensureTable: tables made on first use, nothing shared between requests while it runs", () => {
  it("a CREATE TABLE that never settles (its request cancelled) holds no later request", {
    timeout: 5_000,
  }, async () => {
    // Before: the first caller's statement was kept as the isolate's promise and every later caller awaited it, so
    // one cancelled request left every later login and order lookup of the isolate waiting for ever (this test
    // then timed out).
    const { db, schemaRuns } = scriptedSchema("stuck");
    const name = tableName();
    const ddl = `CREATE TABLE IF NOT EXISTS ${name} (id TEXT PRIMARY KEY)`;
    void ensureTable(db, ddl);
    await ensureTable(db, ddl);
    expect(await exists(name)).toBe(true);
    expect(schemaRuns).toHaveLength(2);
    // Made once: later requests of the isolate run no schema statement at all.
    await ensureTable(db, ddl);
    expect(schemaRuns).toHaveLength(2);
  });

  it("a failed CREATE TABLE is not remembered: the next request runs it again", async () => {
    const { db, schemaRuns } = scriptedSchema("fail");
    const name = tableName();
    const ddl = `CREATE TABLE IF NOT EXISTS ${name} (id TEXT PRIMARY KEY)`;
    await expect(ensureTable(db, ddl)).rejects.toThrow(/Network connection lost/);
    await ensureTable(db, ddl);
    await ensureTable(db, ddl);
    expect(await exists(name)).toBe(true);
    expect(schemaRuns).toHaveLength(2);
  });

  it("the login throttle and the owner's session go on while an earlier request's CREATE TABLE hangs", {
    timeout: 5_000,
  }, async () => {
    const { db, schemaRuns } = scriptedSchema("stuck", "stuck");
    const bff: BffContext = {
      env: testEnv({ RATE_LIMIT_DB: db }),
      ctx: { waitUntil: () => {} },
    };
    const counter = { rule: { name: "d1-test", limit: 5, windowSeconds: 900 }, key: crypto.randomUUID() };
    void countAttempt(bff, [counter]);
    void startAdminSession(bff.env);
    expect(await countAttempt(bff, [counter])).toMatchObject({ allowed: true, retryAfterSeconds: 0 });
    expect(await startAdminSession(bff.env)).toMatch(/shop_admin=/);
    expect(schemaRuns).toHaveLength(4);
  });
});
