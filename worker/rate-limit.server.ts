/**
 * Fixed-window counters in D1 (ADR 0006): brute-force protection for the owner's login and the shopper's
 * order lookup. D1 is one SQLite database per deployment, so a counter holds across requests, isolates and data
 * centres, and one `INSERT … ON CONFLICT … RETURNING` statement counts atomically.
 */
import type { BffContext } from "./context";
import type { SqlDatabase } from "./env";

export interface RateLimitRule {
  /** Names the counter family, e.g. `admin-login`. */
  name: string;
  /** Events allowed within one window; the next one is refused. */
  limit: number;
  windowSeconds: number;
}

interface RateLimitState {
  allowed: boolean;
  /** Seconds until the window ends (0 when allowed and nothing was counted yet). */
  retryAfterSeconds: number;
}

const SCHEMA = `CREATE TABLE IF NOT EXISTS rate_limits (
  name TEXT NOT NULL,
  client TEXT NOT NULL,
  window_start INTEGER NOT NULL,
  count INTEGER NOT NULL,
  PRIMARY KEY (name, client)
)`;

// Created on first use so local dev, tests and a fresh deployment need no migration step.
const ready = new WeakMap<SqlDatabase, Promise<unknown>>();
function ensureSchema(db: SqlDatabase): Promise<unknown> {
  let pending = ready.get(db);
  if (!pending) {
    pending = db.prepare(SCHEMA).run();
    pending.catch(() => ready.delete(db));
    ready.set(db, pending);
  }
  return pending;
}

const nowSeconds = (bff: BffContext) => Math.floor((bff.now?.() ?? Date.now()) / 1000);

/** Counts one event for this client and says whether it was still within the limit. */
export async function hitRateLimit(bff: BffContext, rule: RateLimitRule, clientKey: string): Promise<RateLimitState> {
  const db = bff.env.RATE_LIMIT_DB;
  await ensureSchema(db);
  const now = nowSeconds(bff);
  const row = await db
    .prepare(
      `INSERT INTO rate_limits (name, client, window_start, count) VALUES (?1, ?2, ?3, 1)
       ON CONFLICT (name, client) DO UPDATE SET
         count = CASE WHEN window_start <= ?3 - ?4 THEN 1 ELSE count + 1 END,
         window_start = CASE WHEN window_start <= ?3 - ?4 THEN ?3 ELSE window_start END
       RETURNING count, window_start`,
    )
    .bind(rule.name, clientKey, now, rule.windowSeconds)
    .first<{ count: number; window_start: number }>();
  if (!row) throw new Error("rate limit counter returned no row");
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
  return {
    allowed: row.count <= rule.limit,
    retryAfterSeconds: Math.max(0, row.window_start + rule.windowSeconds - now),
  };
}

/** Whether the client is currently refused, without counting anything. */
export async function peekRateLimit(bff: BffContext, rule: RateLimitRule, clientKey: string): Promise<RateLimitState> {
  const db = bff.env.RATE_LIMIT_DB;
  await ensureSchema(db);
  const now = nowSeconds(bff);
  const row = await db
    .prepare("SELECT count, window_start FROM rate_limits WHERE name = ?1 AND client = ?2")
    .bind(rule.name, clientKey)
    .first<{ count: number; window_start: number }>();
  if (!row || row.window_start <= now - rule.windowSeconds) return { allowed: true, retryAfterSeconds: 0 };
  const retryAfterSeconds = row.window_start + rule.windowSeconds - now;
  return { allowed: row.count < rule.limit, retryAfterSeconds };
}

/** Forgets a client's count, e.g. after a successful login. */
export async function resetRateLimit(bff: BffContext, rule: RateLimitRule, clientKey: string): Promise<void> {
  const db = bff.env.RATE_LIMIT_DB;
  await ensureSchema(db);
  await db.prepare("DELETE FROM rate_limits WHERE name = ?1 AND client = ?2").bind(rule.name, clientKey).run();
}

/**
 * Who the client is: Cloudflare's connecting IP. Locally (wrangler, tests) there is no such header, and every
 * request shares one key, which is what a single developer needs.
 */
export function clientKeyFor(request: Request): string {
  return request.headers.get("CF-Connecting-IP") ?? "local";
}
