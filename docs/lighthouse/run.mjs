#!/usr/bin/env node
/**
 * Lighthouse (mobile preset) on the catalog, a product, the checkout and an order page of a running storefront.
 *
 *   npm start                                   # in another terminal: the shop on http://127.0.0.1:8788
 *   node docs/lighthouse/run.mjs [baseUrl]      # runs `npx lighthouse@12.8.2` four times, prints the scores
 *   node docs/lighthouse/run.mjs [baseUrl] --pages catalog    # only some of catalog, product, checkout, order
 *
 * The checkout page needs a cart and the order page an order this browser placed, so the script first adds a
 * product and places a pay-on-arrival order with plain HTTP (the forms work without JavaScript), then hands the
 * signed cookies to Lighthouse's Chromium with --extra-headers. The full JSON reports land in $TMPDIR/shop-lighthouse/.
 * Needs Debian's Chromium at /usr/bin/chromium (or CHROME_PATH). Scores move with machine load; run it twice.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const args = process.argv.slice(2);
const pagesArg = args.indexOf("--pages");
const only = pagesArg >= 0 ? new Set(args[pagesArg + 1].split(",")) : undefined;
const base = (args.find((a, i) => !a.startsWith("--") && (pagesArg < 0 || i !== pagesArg + 1)) ?? "http://127.0.0.1:8788").replace(/\/$/, "");
const reports = path.join(tmpdir(), "shop-lighthouse");
mkdirSync(reports, { recursive: true });

/** name=value of each Set-Cookie, merged into a jar keyed by name (an expired cookie drops out). */
function absorb(jar, response) {
  for (const header of response.headers.getSetCookie()) {
    const [pair] = header.split(";");
    const [name, ...rest] = pair.split("=");
    const value = rest.join("=");
    if (/Max-Age=0/i.test(header) || value === "") jar.delete(name);
    else jar.set(name, value);
  }
}
const cookieHeader = (jar) => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");

async function post(jar, pathname, fields) {
  const response = await fetch(`${base}${pathname}`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookieHeader(jar) },
    body: new URLSearchParams(fields),
    redirect: "manual",
  });
  absorb(jar, response);
  return response;
}

async function addToCart(jar) {
  await post(jar, "/cart", { intent: "add", productId: "dongding-oolong", quantity: "2" });
  await post(jar, "/cart", { intent: "add", productId: "pineapple-cake", quantity: "1" });
}

const jar = new Map();
// The checkout page needs a cart and the order page an order; the catalog needs neither.
const needsOrder = !only || only.has("checkout") || only.has("order");
let orderPath = "";
if (needsOrder) {
  await addToCart(jar);
  const checkout = await (await fetch(`${base}/checkout`, { headers: { cookie: cookieHeader(jar) } })).text();
  const hidden = (name) => new RegExp(`name="${name}" value="([^"]*)"`).exec(checkout)?.[1];
  const placed = await post(jar, "/checkout", {
    checkoutToken: hidden("checkoutToken"),
    items: hidden("items"),
    expectedTotal: hidden("expectedTotal"),
    name: "王小明",
    phone: "0912345678",
    email: "ming@example.tw",
    postalCode: "100",
    address: "臺北市中正區重慶南路一段 122 號",
    paymentMethod: "cod",
  });
  orderPath = placed.headers.get("location");
  if (placed.status !== 303 || !orderPath) throw new Error(`placing the order failed: ${placed.status}`);
  await addToCart(jar); // the order emptied the cart; the checkout page needs one again
}

const chromeFlags = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
  '--host-resolver-rules="MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"',
].join(" ");

const pages = [
  ["catalog", "/"],
  ["product", "/products/dongding-oolong"],
  ["checkout", "/checkout"],
  ["order", orderPath],
].filter(([name]) => !only || only.has(name));
const rows = [];
for (const [name, pathname] of pages) {
  const output = path.join(reports, `${name}.json`);
  execFileSync(
    "npx",
    [
      "--yes",
      "lighthouse@12.8.2",
      `${base}${pathname}`,
      "--quiet",
      "--output=json",
      `--output-path=${output}`,
      "--only-categories=performance,accessibility,best-practices,seo",
      `--chrome-flags=${chromeFlags}`,
      `--extra-headers=${JSON.stringify({ Cookie: cookieHeader(jar) })}`,
    ],
    { stdio: "inherit", env: { ...process.env, CHROME_PATH: process.env.CHROME_PATH ?? "/usr/bin/chromium" } },
  );
  const report = JSON.parse(readFileSync(output, "utf8"));
  const score = (id) => Math.round((report.categories[id]?.score ?? 0) * 100);
  const metric = (id) => report.audits[id]?.displayValue ?? "";
  rows.push({
    page: `${name} (${pathname})`,
    performance: score("performance"),
    accessibility: score("accessibility"),
    "best-practices": score("best-practices"),
    seo: score("seo"),
    FCP: metric("first-contentful-paint"),
    LCP: metric("largest-contentful-paint"),
    TBT: metric("total-blocking-time"),
    CLS: metric("cumulative-layout-shift"),
  });
}
console.table(rows);
