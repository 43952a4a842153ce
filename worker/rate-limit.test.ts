import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { BffContext } from "./context";
import { clientKeyFor, hitRateLimit, peekRateLimit, resetRateLimit } from "./rate-limit.server";

const rule = { name: "test-login", limit: 5, windowSeconds: 900 };

function bffAt(clock: { now: number }): BffContext {
  return {
    env: {
      RATE_LIMIT_DB: (env as { RATE_LIMIT_DB: BffContext["env"]["RATE_LIMIT_DB"] }).RATE_LIMIT_DB,
    } as BffContext["env"],
    ctx: { waitUntil: () => {} },
    now: () => clock.now,
  };
}

describe("rate limits in D1", () => {
  it("refuses the sixth failure within the window and allows again once it has passed", async () => {
    const clock = { now: Date.UTC(2026, 10, 27, 10, 0, 0) };
    const bff = bffAt(clock);
    const client = `client-${crypto.randomUUID()}`;
    for (let i = 1; i <= 5; i++) {
      expect((await peekRateLimit(bff, rule, client)).allowed).toBe(true);
      expect((await hitRateLimit(bff, rule, client)).allowed).toBe(true);
    }
    const blocked = await peekRateLimit(bff, rule, client);
    expect(blocked.allowed).toBe(false);
    expect(blocked.retryAfterSeconds).toBe(900);
    expect((await hitRateLimit(bff, rule, client)).allowed).toBe(false);

    clock.now += 899_000;
    expect((await peekRateLimit(bff, rule, client)).allowed).toBe(false);
    clock.now += 1_000;
    expect((await peekRateLimit(bff, rule, client)).allowed).toBe(true);
    expect((await hitRateLimit(bff, rule, client)).allowed).toBe(true);
  });

  it("counts each client and each rule separately, and forgets on reset", async () => {
    const bff = bffAt({ now: Date.now() });
    const a = `a-${crypto.randomUUID()}`;
    const b = `b-${crypto.randomUUID()}`;
    for (let i = 0; i < 5; i++) await hitRateLimit(bff, rule, a);
    expect((await peekRateLimit(bff, rule, a)).allowed).toBe(false);
    expect((await peekRateLimit(bff, rule, b)).allowed).toBe(true);
    expect((await peekRateLimit(bff, { ...rule, name: "other" }, a)).allowed).toBe(true);
    await resetRateLimit(bff, rule, a);
    expect((await peekRateLimit(bff, rule, a)).allowed).toBe(true);
  });

  it("counts concurrent failures without losing any", async () => {
    const bff = bffAt({ now: Date.now() });
    const client = `c-${crypto.randomUUID()}`;
    const results = await Promise.all(Array.from({ length: 12 }, () => hitRateLimit(bff, rule, client)));
    expect(results.filter((r) => r.allowed)).toHaveLength(5);
  });

  it("identifies clients by CF-Connecting-IP", () => {
    expect(clientKeyFor(new Request("https://x/", { headers: { "CF-Connecting-IP": "203.0.113.9" } }))).toBe(
      "203.0.113.9",
    );
    expect(clientKeyFor(new Request("https://x/"))).toBe("local");
  });
});
