/**
 * Fixed-window counters in D1 (ADR 0006): brute-force protection for the owner's login and the shopper's order
 * lookup. D1 is one SQLite database per deployment, so a counter holds across requests, isolates and data centres.
 *
 * Every throttle **counts before it checks**: `countAttempt` adds the attempt with one atomic
 * `INSERT … ON CONFLICT … DO UPDATE … RETURNING count` per counter, and only an attempt whose new count is within the
 * limit may go on to the check (the password, the order lookup). A burst of N parallel guesses therefore gets at most
 * `limit` checks, however the requests interleave; peeking first and counting after would let all N through.
 *
 * An attempt that turns out to be no guess (an order lookup that found its order) is given back with `refundAttempt`.
 * Refunds wait a moment and travel together (REFUND_DELAY_MS): a refund can only lower a count, so applying it a
 * quarter of a second late is never weaker, and one D1 write for a whole burst of found lookups keeps a found
 * lookup as cheap as it was before counting came first (docs/performance.md).
 */
import type { BffContext } from "./context";
import { ensureTable } from "./d1.server";
import type { SqlDatabase } from "./env";

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

/** Where one attempt was counted: the counter and the start of the window it went into (what a refund takes from). */
export interface CountedWindow {
  counter: Counter;
  windowStart: number;
}

export interface CountedAttempt {
  /** Whether every counter is still within its limit with this attempt counted. */
  allowed: boolean;
  /** Seconds until the refusing counters' windows end (0 when allowed). */
  retryAfterSeconds: number;
  /** One per counter, in the counters' order. */
  counted: CountedWindow[];
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
  const counted = counters.map((counter, i) => {
    const { rule } = counter;
    const row = results[i]?.results?.[0];
    if (!row) throw new Error("rate limit counter returned no row");
    if (row.count > rule.limit) {
      retryAfterSeconds = Math.max(retryAfterSeconds, row.window_start + rule.windowSeconds - now, 1);
    }
    return { counter, windowStart: row.window_start };
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
  return { allowed: retryAfterSeconds === 0, retryAfterSeconds, counted };
}

/** How long a refund waits for others to travel with it. */
export const REFUND_DELAY_MS = 250;

interface PendingRefund {
  name: string;
  key: string;
  windowStart: number;
  attempts: number;
}

/** Refunds waiting for their write, per database, and the write that will carry them. */
interface RefundQueue {
  refunds: Map<string, PendingRefund>;
  written: Promise<void>;
}

const refundQueues = new WeakMap<SqlDatabase, RefundQueue>();

/**
 * Takes one counted attempt back from each of its counters: the attempt turned out not to be a guess (a lookup that
 * found its order). Only from the window it was counted in, never below zero. The refund is queued and written
 * REFUND_DELAY_MS later, together with every other refund queued meanwhile in this isolate, in one D1 batch; each
 * request with a refund in it keeps that write alive (`waitUntil`). A refund that cannot be written is logged and
 * leaves its counter stricter, never looser.
 */
export function refundAttempt(bff: BffContext, counted: readonly CountedWindow[]): void {
  const db = bff.env.RATE_LIMIT_DB;
  let queue = refundQueues.get(db);
  if (!queue) {
    const refunds = new Map<string, PendingRefund>();
    const written = new Promise((resolve) => setTimeout(resolve, REFUND_DELAY_MS))
      .then(() => {
        refundQueues.delete(db); // refunds queued from now on wait for the next write
        return writeRefunds(db, [...refunds.values()]);
      })
      .catch((error: unknown) =>
        console.error(JSON.stringify({ at: "rate-limit", problem: "refund_failed", detail: String(error) })),
      );
    queue = { refunds, written };
    refundQueues.set(db, queue);
  }
  for (const { counter, windowStart } of counted) {
    const id = JSON.stringify([counter.rule.name, counter.key, windowStart]);
    const pending = queue.refunds.get(id);
    if (pending) pending.attempts += 1;
    else queue.refunds.set(id, { name: counter.rule.name, key: counter.key, windowStart, attempts: 1 });
  }
  bff.ctx.waitUntil(queue.written);
}

async function writeRefunds(db: SqlDatabase, refunds: readonly PendingRefund[]): Promise<void> {
  if (refunds.length === 0) return;
  await ensureTable(db, SCHEMA);
  await db.batch(
    refunds.map(({ name, key, windowStart, attempts }) =>
      db
        .prepare(
          "UPDATE rate_limits SET count = MAX(count - ?4, 0) WHERE name = ?1 AND client = ?2 AND window_start = ?3",
        )
        .bind(name, key, windowStart, attempts),
    ),
  );
}

/** Forgets a counter, e.g. the client's after a successful login. */
export async function resetRateLimit(bff: BffContext, { rule, key }: Counter): Promise<void> {
  const db = bff.env.RATE_LIMIT_DB;
  await ensureTable(db, SCHEMA);
  await db.prepare("DELETE FROM rate_limits WHERE name = ?1 AND client = ?2").bind(rule.name, key).run();
}
