/**
 * Headless Debian Chromium through playwright-core, kept off the network: only loopback resolves.
 */
import { type Browser, type BrowserContext, chromium } from "playwright-core";
import { inject } from "vitest";

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
      '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
    ],
  });
}

export async function newContext(browser: Browser, options: { javaScriptEnabled?: boolean } = {}): Promise<BrowserContext> {
  return browser.newContext({ baseURL: e2e().baseUrl, locale: "zh-TW", javaScriptEnabled: options.javaScriptEnabled ?? true });
}
