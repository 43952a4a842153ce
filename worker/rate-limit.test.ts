import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { BffContext } from "./context";
import { type Counter, countAttempt, REFUND_DELAY_MS, refundAttempt, resetRateLimit } from "./rate-limit.server";
import { interleavedD1 } from "./test/helpers";

const rule = { name: "test-login", limit: 5, windowSeconds: 900 };
const db = (env as { RATE_LIMIT_DB: BffContext["env"]["RATE_LIMIT_DB"] }).RATE_LIMIT_DB;

/** A context whose background work (`waitUntil`) the test can wait for with `settled()`. */
function bffAt(clock: { now: number }, database = db): BffContext & { settled: () => Promise<unknown> } {
  const background: Promise<unknown>[] = [];
  return {
    env: { RATE_LIMIT_DB: database } as BffContext["env"],
    ctx: { waitUntil: (promise) => void background.push(promise) },
    now: () => clock.now,
    settled: async () => {
      while (background.length > 0) await Promise.all(background.splice(0));
    },
  };
}

/** A database that counts the batches it is sent. */
function countingBatches(database = db) {
  const batches: number[] = [];
  const wrapped = new Proxy(database, {
    get(target, property) {
      if (property === "batch")
        return (statements: unknown[]) => {
          batches.push(statements.length);
          return target.batch(statements as Parameters<typeof target.batch>[0]);
        };
      const value = target[property as keyof typeof target];
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { db: wrapped, batches };
}

const counter = (key = crypto.randomUUID(), r = rule): Counter => ({ rule: r, key });

describe("rate limits in D1, counted before the check", () => {
  it("allows the first five attempts of a window, refuses the sixth, and allows again once the window has passed", async () => {
    const clock = { now: Date.UTC(2026, 10, 27, 10, 0, 0) };
    const bff = bffAt(clock);
    const client = counter();
    for (let i = 1; i <= 5; i++)
      expect(await countAttempt(bff, [client])).toMatchObject({ allowed: true, retryAfterSeconds: 0 });
    expect(await countAttempt(bff, [client])).toMatchObject({ allowed: false, retryAfterSeconds: 900 });

    clock.now += 899_000;
    expect(await countAttempt(bff, [client])).toMatchObject({ allowed: false, retryAfterSeconds: 1 });
    clock.now += 1_000;
    expect((await countAttempt(bff, [client])).allowed).toBe(true);
  });

  it("counts every counter of an attempt, and allows it only when all of them are within their limits", async () => {
    const bff = bffAt({ now: Date.now() });
    const client = counter();
    const phone = counter(crypto.randomUUID(), { name: "test-phone", limit: 2, windowSeconds: 600 });
    expect((await countAttempt(bff, [client, phone])).allowed).toBe(true);
    expect((await countAttempt(bff, [client, phone])).allowed).toBe(true);
    const third = await countAttempt(bff, [client, phone]);
    expect(third.allowed).toBe(false);
    expect(third.retryAfterSeconds).toBe(600);
    // The refused attempt still counted against the client (3 of 5): two more are its last.
    expect((await countAttempt(bff, [client])).allowed).toBe(true);
    expect((await countAttempt(bff, [client])).allowed).toBe(true);
    expect((await countAttempt(bff, [client])).allowed).toBe(false);
  });

  it("counts each key and each rule separately, and forgets a counter on reset", async () => {
    const bff = bffAt({ now: Date.now() });
    const a = counter();
    for (let i = 0; i < 5; i++) await countAttempt(bff, [a]);
    expect((await countAttempt(bff, [a])).allowed).toBe(false);
    expect((await countAttempt(bff, [counter()])).allowed).toBe(true);
    expect((await countAttempt(bff, [{ ...a, rule: { ...rule, name: "other" } }])).allowed).toBe(true);
    await resetRateLimit(bff, a);
    expect((await countAttempt(bff, [a])).allowed).toBe(true);
  });

  it("takes a refunded attempt back from the window it was counted in, never below zero", async () => {
    const clock = { now: Date.UTC(2026, 10, 27, 12, 0, 0) };
    const bff = bffAt(clock);
    const client = counter();
    const attempts = [];
    for (let i = 0; i < 5; i++) attempts.push(await countAttempt(bff, [client]));
    refundAttempt(bff, attempts[0]!.counted);
    await bff.settled();
    expect((await countAttempt(bff, [client])).allowed).toBe(true);
    expect((await countAttempt(bff, [client])).allowed).toBe(false);

    const fresh = counter();
    const once = await countAttempt(bff, [fresh]);
    for (let i = 0; i < 10; i++) refundAttempt(bff, once.counted);
    await bff.settled();
    for (let i = 0; i < 5; i++) expect((await countAttempt(bff, [fresh])).allowed).toBe(true);
    expect((await countAttempt(bff, [fresh])).allowed).toBe(false);
  });

  it("never takes a refund from a newer window than the attempt's", async () => {
    const clock = { now: Date.UTC(2026, 10, 27, 13, 0, 0) };
    const bff = bffAt(clock);
    const client = counter();
    const old = await countAttempt(bff, [client]);
    clock.now += 900_000; // the window ends; the next attempts open a new one
    for (let i = 0; i < 5; i++) expect((await countAttempt(bff, [client])).allowed).toBe(true);
    refundAttempt(bff, old.counted);
    await bff.settled();
    expect((await countAttempt(bff, [client])).allowed).toBe(false);
  });

  it("writes a burst of refunds a moment later, all in one D1 batch, and only then", async () => {
    const { db: counting, batches } = countingBatches();
    const bff = bffAt({ now: Date.now() }, counting);
    const network = counter();
    const phones = Array.from({ length: 3 }, () => counter(crypto.randomUUID(), { ...rule, name: "test-phone" }));
    const attempts = [];
    for (const phone of phones) attempts.push(await countAttempt(bff, [network, phone]));
    for (let i = 0; i < 2; i++) expect((await countAttempt(bff, [network])).allowed).toBe(true); // 5 of 5
    batches.length = 0;

    const started = Date.now();
    for (const attempt of attempts) refundAttempt(bff, attempt.counted);
    expect(batches).toEqual([]); // queued, not written yet
    await bff.settled();
    expect(Date.now() - started).toBeGreaterThanOrEqual(REFUND_DELAY_MS - 5);
    // One batch: the network's three refunds as one statement, one per phone.
    expect(batches).toEqual([4]);
    for (let i = 0; i < 3; i++) expect((await countAttempt(bff, [network])).allowed).toBe(true);
    expect((await countAttempt(bff, [network])).allowed).toBe(false);
  });

  it("leaves the counter as it was when the refund cannot be written (stricter, never looser)", async () => {
    const clock = { now: Date.now() };
    const failing = new Proxy(db, {
      get(target, property) {
        if (property === "batch") return () => Promise.reject(new Error("D1 unavailable"));
        const value = target[property as keyof typeof target];
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const client = counter();
    const bff = bffAt(clock);
    const attempts = [];
    for (let i = 0; i < 5; i++) attempts.push(await countAttempt(bff, [client]));
    const broken = bffAt(clock, failing);
    refundAttempt(broken, attempts[0]!.counted);
    await broken.settled();
    expect((await countAttempt(bff, [client])).allowed).toBe(false);
  });

  it("allows exactly five of twelve concurrent attempts", async () => {
    const bff = bffAt({ now: Date.now() });
    const client = counter();
    const results = await Promise.all(Array.from({ length: 12 }, () => countAttempt(bff, [client])));
    expect(results.filter((r) => r.allowed)).toHaveLength(5);
  });

  it("allows exactly five of twenty attempts whose D1 calls all arrive before any is answered", async () => {
    const bff = bffAt({ now: Date.now() }, interleavedD1(db, 20));
    const client = counter();
    const results = await Promise.all(Array.from({ length: 20 }, () => countAttempt(bff, [client])));
    expect(results.filter((r) => r.allowed)).toHaveLength(5);
  });
});
