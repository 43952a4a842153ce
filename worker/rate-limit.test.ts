import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { BffContext } from "./context";
import { type Counter, countAttempt, refundAttempt, resetRateLimit } from "./rate-limit.server";
import { interleavedD1 } from "./test/helpers";

const rule = { name: "test-login", limit: 5, windowSeconds: 900 };
const db = (env as { RATE_LIMIT_DB: BffContext["env"]["RATE_LIMIT_DB"] }).RATE_LIMIT_DB;

function bffAt(clock: { now: number }, database = db): BffContext {
  return {
    env: { RATE_LIMIT_DB: database } as BffContext["env"],
    ctx: { waitUntil: () => {} },
    now: () => clock.now,
  };
}

const counter = (key = crypto.randomUUID(), r = rule): Counter => ({ rule: r, key });

describe("rate limits in D1, counted before the check", () => {
  it("allows the first five attempts of a window, refuses the sixth, and allows again once the window has passed", async () => {
    const clock = { now: Date.UTC(2026, 10, 27, 10, 0, 0) };
    const bff = bffAt(clock);
    const client = counter();
    for (let i = 1; i <= 5; i++)
      expect(await countAttempt(bff, [client])).toEqual({ allowed: true, retryAfterSeconds: 0 });
    expect(await countAttempt(bff, [client])).toEqual({ allowed: false, retryAfterSeconds: 900 });

    clock.now += 899_000;
    expect(await countAttempt(bff, [client])).toEqual({ allowed: false, retryAfterSeconds: 1 });
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

  it("takes a refunded attempt back, never below zero and never into a window that has ended", async () => {
    const clock = { now: Date.UTC(2026, 10, 27, 12, 0, 0) };
    const bff = bffAt(clock);
    const client = counter();
    for (let i = 0; i < 5; i++) await countAttempt(bff, [client]);
    await refundAttempt(bff, [client]);
    expect((await countAttempt(bff, [client])).allowed).toBe(true);
    expect((await countAttempt(bff, [client])).allowed).toBe(false);

    const fresh = counter();
    await refundAttempt(bff, [fresh]);
    await countAttempt(bff, [fresh]);
    for (let i = 0; i < 10; i++) await refundAttempt(bff, [fresh]);
    for (let i = 0; i < 5; i++) expect((await countAttempt(bff, [fresh])).allowed).toBe(true);
    expect((await countAttempt(bff, [fresh])).allowed).toBe(false);

    clock.now += 900_000;
    await refundAttempt(bff, [fresh]); // the window has ended: nothing to take back
    for (let i = 0; i < 5; i++) expect((await countAttempt(bff, [fresh])).allowed).toBe(true);
    expect((await countAttempt(bff, [fresh])).allowed).toBe(false);
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
