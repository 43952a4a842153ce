/**
 * The storefront's guards (docs/security.md) under load and under faults, through the production build under
 * `wrangler pages dev` with a D1 of its own (a storefront of this file's own, so its bursts never throttle the other
 * suites), and a proxy in front of the order API that counts what reaches it:
 *
 * - Load: bursts sent all at once, as a guessing script spread over many connections would — 40 wrong logins from
 *   one IPv6 /64, 60 lookups from one /64, 60 lookups for one phone from 60 networks. The throttles count before they
 *   check, so at most the limit reaches the password or the order API whatever the interleaving; the rest are 429,
 *   none 5xx. Twenty 2 MB form posts at once (declared and chunked) are all refused with 413, and the shop still
 *   serves its pages. Twenty admin requests at once on one session, then logout: every copy of the cookie is dead.
 * - Faults: the order API failing or slower than the BFF's deadline during lookups — the shopper gets 503 with a
 *   reason, and those attempts are not counted as misses (after recovery the same network is not refused).
 *
 * Runs in `npm run test:reliability`; figures in docs/reliability.md.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { orderRequest } from "../support";
import { postOversizedForm } from "./shopper";
import { type FaultStorefront, startFaultStorefront } from "./storefront-support";

const enabled = inject("storefront") !== null;
let env: FaultStorefront;

beforeAll(async () => {
  if (enabled) env = await startFaultStorefront();
}, 180_000);
afterAll(async () => {
  await env?.close();
});

const hextet = () => Math.floor(Math.random() * 0xffff).toString(16);
const unique64 = () => `2001:db8:${hextet()}:${hextet()}`;
let ipCounter = 0;
/** A distinct IPv4 network per call. */
const uniqueIpv4 = () => {
  ipCounter += 1;
  return `198.18.${(ipCounter >> 8) & 0xff}.${ipCounter & 0xff}`;
};
const randomPhone = () => `09${String(Math.floor(Math.random() * 100_000_000)).padStart(8, "0")}`;
const unknownOrderId = () => `200101-${String(Math.floor(Math.random() * 10_000)).padStart(4, "0")}-0000`;

function post(path: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
  return fetch(`${env.url}${path}`, {
    method: "POST",
    redirect: "manual",
    headers: {
      "Content-Type": "application/x-www-form-urlencoded",
      Origin: env.url,
      "Sec-Fetch-Site": "same-origin",
      ...headers,
    },
    body: new URLSearchParams(fields),
  });
}
const lookup = (id: string, phone: string, ip: string) => post("/orders", { id, phone }, { "CF-Connecting-IP": ip });
function statusCounts(statuses: number[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const s of statuses) counts[s] = (counts[s] ?? 0) + 1;
  return counts;
}
/** Requests the storefront made to the order API's lookup route (through the counting proxy). */
const lookupsReachingApi = () => env.storefrontApi.counts["GET /order"] ?? 0;
/** Long enough for the refunds queued by earlier lookups to be written (REFUND_DELAY_MS, 250 ms, in worker/rate-limit.server.ts). */
const refundLanded = () => new Promise((resolve) => setTimeout(resolve, 1_000));

describe.runIf(enabled)("throttles under a burst", () => {
  it("40 wrong logins at once from one IPv6 /64: at most 5 reach the password, the rest 429", async () => {
    const prefix = unique64();
    const started = performance.now();
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        post("/admin/login", { password: `wrong-${i}` }, { "CF-Connecting-IP": `${prefix}::${i + 1}` }),
      ),
    );
    const ms = Math.round(performance.now() - started);
    const counts = statusCounts(answers.map((a) => a.status));
    expect(Object.keys(counts).map(Number).sort()).toEqual(counts[401] ? [401, 429] : [429]);
    expect(counts[401] ?? 0).toBeLessThanOrEqual(5);
    expect(counts[401] ?? 0).toBeGreaterThan(0);
    console.log(`[reliability] 40 logins at once from one /64: ${JSON.stringify(counts)} in ${ms} ms`);
  });

  it("60 lookups at once from one /64 (60 phones): at most 10 reach the order API, the rest 429", async () => {
    const prefix = unique64();
    const before = lookupsReachingApi();
    const answers = await Promise.all(
      Array.from({ length: 60 }, (_, i) => lookup(unknownOrderId(), randomPhone(), `${prefix}:${hextet()}::${i + 1}`)),
    );
    const counts = statusCounts(answers.map((a) => a.status));
    const reached = lookupsReachingApi() - before;
    expect(reached).toBeLessThanOrEqual(10);
    expect(counts[404] ?? 0).toBe(reached);
    expect(counts[429]).toBe(60 - reached);
    console.log(`[reliability] 60 lookups at once from one /64: ${JSON.stringify(counts)}, ${reached} reached the API`);
  });

  it("60 lookups at once for one phone from 60 networks: at most 10 reach the order API, the rest 429", async () => {
    const phone = randomPhone();
    const before = lookupsReachingApi();
    const answers = await Promise.all(Array.from({ length: 60 }, () => lookup(unknownOrderId(), phone, uniqueIpv4())));
    const counts = statusCounts(answers.map((a) => a.status));
    const reached = lookupsReachingApi() - before;
    expect(reached).toBeLessThanOrEqual(10);
    expect(counts[404] ?? 0).toBe(reached);
    expect(counts[429]).toBe(60 - reached);
    console.log(
      `[reliability] 60 lookups at once for one phone from 60 networks: ${JSON.stringify(counts)}, ${reached} reached the API`,
    );
  });

  it("twenty 2 MB form posts at once, declared and chunked, are all refused with 413; the shop keeps serving", async () => {
    const paths = ["/orders", "/checkout", "/cart", "/admin/login"];
    const started = performance.now();
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        postOversizedForm(`${env.url}${paths[i % paths.length]}`, 2 * 1024 * 1024, {
          chunked: i % 2 === 1,
          headers: { Origin: env.url, "Sec-Fetch-Site": "same-origin", "CF-Connecting-IP": uniqueIpv4() },
        }),
      ),
    );
    const ms = Math.round(performance.now() - started);
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(413));
    for (const answer of answers) expect(answer.text).toContain("送出的內容太大");
    const sentMb = answers.reduce((sum, a) => sum + a.sent, 0) / 1024 / 1024;
    expect((await fetch(`${env.url}/`)).status).toBe(200);
    console.log(
      `[reliability] 20 × 2 MB form posts at once: all 413 in ${ms} ms (${sentMb.toFixed(1)} MB written before the answers)`,
    );
  });

  it("twenty admin requests at once on one session, then logout: no copy of the cookie opens /admin", async () => {
    const ip = uniqueIpv4();
    const login = await post(
      "/admin/login",
      { password: env.ownerPassword, next: "/admin" },
      { "CF-Connecting-IP": ip },
    );
    expect(login.status).toBe(302);
    const cookie = login.headers.getSetCookie()[0]!.split(";")[0]!;
    const open = () =>
      fetch(`${env.url}/admin/site`, { redirect: "manual", headers: { Cookie: cookie, "CF-Connecting-IP": ip } });
    expect((await Promise.all(Array.from({ length: 20 }, open))).map((r) => r.status)).toEqual(Array(20).fill(200));
    expect((await post("/admin/logout", {}, { Cookie: cookie, "CF-Connecting-IP": ip })).status).toBe(302);
    const after = await Promise.all(Array.from({ length: 20 }, open));
    expect(after.map((r) => r.status)).toEqual(Array(20).fill(302));
    for (const r of after) expect(r.headers.get("location")).toMatch(/^\/admin\/login\?/);
  });
});

describe.runIf(enabled)("lookups while the order API fails", () => {
  it("the API failing or too slow: 503 with a reason, not counted as misses; after recovery the network is not refused", async () => {
    const ip = uniqueIpv4();
    const request = orderRequest({ paymentMethod: "cod" });
    const placed = await env.storefront.post("/order", request);
    expect(placed.status).toBe(201);
    const { id } = placed.body.order as { id: string };
    const phone = request.customer.phone;

    // Twelve lookups (more than the network's ten) while the API answers 503.
    env.storefrontApi.failNext({
      match: (r) => r.method === "GET" && r.url.startsWith("/order?"),
      times: Number.POSITIVE_INFINITY,
      respond: () => ({
        status: 503,
        headers: { "content-type": "application/json" },
        body: Buffer.from(JSON.stringify({ message: "Service Unavailable" })),
      }),
    });
    // Paced as a shopper retries: a failed lookup's count is taken back a moment later.
    const failing: number[] = [];
    for (let i = 0; i < 12; i++) {
      failing.push((await lookup(unknownOrderId(), randomPhone(), ip)).status);
      await refundLanded();
    }
    env.storefrontApi.clearFaults();
    expect(failing).toEqual(Array(12).fill(503));

    // One lookup slower than the BFF's deadline (8 s): a 503 too, and not counted either.
    env.storefrontApi.failNext({ match: (r) => r.url.startsWith("/order?"), times: 1, delayMs: 9_000 });
    const slow = await lookup(unknownOrderId(), randomPhone(), ip);
    expect(slow.status).toBe(503);
    expect(await slow.text()).toContain("稍後再試");

    // Recovered: the same network still has its ten guesses, and the shopper finds the order.
    expect((await lookup(id, phone, ip)).status).toBe(303);
    await refundLanded();
    const misses: number[] = [];
    for (let i = 0; i < 11; i++) misses.push((await lookup(unknownOrderId(), randomPhone(), ip)).status);
    expect(misses).toEqual([...Array(10).fill(404), 429]);
  });
});
