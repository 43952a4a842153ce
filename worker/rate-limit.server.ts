/**
 * Fixed-window counters in D1 (ADR 0006): brute-force protection for the owner's login and the shopper's order
 * lookup. D1 is one SQLite database per deployment, so a counter holds across requests, isolates and data centres.
 *
 * Every throttle **counts before it checks**: `countAttempt` adds the attempt with one atomic
 * `INSERT … ON CONFLICT … DO UPDATE … RETURNING count` per counter, and only an attempt whose new count is within the
 * limit may go on to the check (the password, the order lookup). A burst of N parallel guesses therefore gets at most
 * `limit` checks, however the requests interleave; peeking first and counting after would let all N through.
 */
import type { BffContext } from "./context";
import { ensureTable } from "./d1.server";

export interface RateLimitRule {
  /** Names the counter family, e.g. `admin-login`. */
  name: string;
  /** Attempts allowed within one window; the next one is refused. */
  limit: number;
  windowSeconds: number;
}

/** One counter: a rule and whose attempts it counts (a client's network, a phone number's digest…). */
export interface Counter {
  rule: RateLimitRule;
  key: string;
}

export interface CountedAttempt {
  /** Whether every counter is still within its limit with this attempt counted. */
  allowed: boolean;
  /** Seconds until the refusing counters' windows end (0 when allowed). */
  retryAfterSeconds: number;
}

const SCHEMA = `CREATE TABLE IF NOT EXISTS rate_limits (
  name TEXT NOT NULL,
  client TEXT NOT NULL,
  window_start INTEGER NOT NULL,
  count INTEGER NOT NULL,
  PRIMARY KEY (name, client)
)`;

const COUNT = `INSERT INTO rate_limits (name, client, window_start, count) VALUES (?1, ?2, ?3, 1)
  ON CONFLICT (name, client) DO UPDATE SET
    count = CASE WHEN window_start <= ?3 - ?4 THEN 1 ELSE count + 1 END,
    window_start = CASE WHEN window_start <= ?3 - ?4 THEN ?3 ELSE window_start END
  RETURNING count, window_start`;

const nowSeconds = (bff: BffContext) => Math.floor((bff.now?.() ?? Date.now()) / 1000);

/**
 * Counts one attempt on each counter, all in one round trip (a D1 batch), and says whether the attempt may go on.
 * Call it before the check it guards, never after.
 */
export async function countAttempt(bff: BffContext, counters: readonly Counter[]): Promise<CountedAttempt> {
  const db = bff.env.RATE_LIMIT_DB;
  await ensureTable(db, SCHEMA);
  const now = nowSeconds(bff);
  const results = await db.batch<{ count: number; window_start: number }>(
    counters.map(({ rule, key }) => db.prepare(COUNT).bind(rule.name, key, now, rule.windowSeconds)),
  );
  let retryAfterSeconds = 0;
  counters.forEach(({ rule }, i) => {
    const row = results[i]?.results?.[0];
    if (!row) throw new Error("rate limit counter returned no row");
    if (row.count > rule.limit) {
      retryAfterSeconds = Math.max(retryAfterSeconds, row.window_start + rule.windowSeconds - now, 1);
    }
  });
  // Old windows are dead weight; sweeping now and then keeps the table small without a scheduled job.
  if (Math.random() < 0.01) {
    bff.ctx.waitUntil(
      db
        .prepare("DELETE FROM rate_limits WHERE window_start < ?1")
        .bind(now - 86_400)
        .run()
        .catch(() => {}),
    );
  }
  return { allowed: retryAfterSeconds === 0, retryAfterSeconds };
}

/**
 * Takes one counted attempt back from each counter: the attempt turned out not to be a guess (a lookup that found
 * its order). Never below zero, and never into a window that has already ended.
 */
export async function refundAttempt(bff: BffContext, counters: readonly Counter[]): Promise<void> {
  const db = bff.env.RATE_LIMIT_DB;
  await ensureTable(db, SCHEMA);
  const now = nowSeconds(bff);
  await db.batch(
    counters.map(({ rule, key }) =>
      db
        .prepare(
          "UPDATE rate_limits SET count = count - 1 WHERE name = ?1 AND client = ?2 AND count > 0 AND window_start > ?3 - ?4",
        )
        .bind(rule.name, key, now, rule.windowSeconds),
    ),
  );
}

/** Forgets a counter, e.g. the client's after a successful login. */
export async function resetRateLimit(bff: BffContext, { rule, key }: Counter): Promise<void> {
  const db = bff.env.RATE_LIMIT_DB;
  await ensureTable(db, SCHEMA);
  await db.prepare("DELETE FROM rate_limits WHERE name = ?1 AND client = ?2").bind(rule.name, key).run();
}
