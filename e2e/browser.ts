/**
 * Headless Debian Chromium through playwright-core, kept off the network: only loopback resolves.
 */
import AxeBuilder from "@axe-core/playwright";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, expect, inject } from "vitest";

export const e2e = () => inject("e2e");

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
      "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    ],
  });
}

export async function newContext(
  browser: Browser,
  options: { javaScriptEnabled?: boolean; baseURL?: string } = {},
): Promise<BrowserContext> {
  return browser.newContext({
    baseURL: options.baseURL ?? e2e().baseUrl,
    locale: "zh-TW",
    javaScriptEnabled: options.javaScriptEnabled ?? true,
  });
}

/**
 * A test file's browser, launched once, and `open`: a new context for the running test (newContext's options),
 * closed when the test ends, whatever happened in it.
 */
export function browserSuite(): { open: (options?: Parameters<typeof newContext>[1]) => Promise<BrowserContext> } {
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterEach(async () => {
    await context?.close();
    context = undefined;
  });
  afterAll(async () => {
    await browser?.close();
  });
  return {
    open: async (options) => {
      context = await newContext(browser!, options);
      return context;
    },
  };
}

/** axe with the WCAG 2.0/2.1 A and AA rules; fails with the rule ids and the offending nodes. */
export async function expectNoAxeViolations(page: Page, what: string): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  const summary = results.violations.map((v) => ({
    page: what,
    rule: v.id,
    impact: v.impact,
    nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")),
  }));
  expect(summary).toEqual([]);
}
