/**
 * A shopper (or the owner) talking to a running storefront over plain HTTP, the way a browser without JavaScript
 * does: a cookie jar, form posts with the browser's same-origin headers, no redirects followed. Used by the
 * storefront reliability tests and by `npm run bench` (bench/storefront.ts). Only loopback storefronts.
 */
import { request as httpRequest } from "node:http";

export interface Page {
  status: number;
  headers: Headers;
  text: string;
  location: string | null;
  /** For a post with a text body: its size in bytes (the storefront refuses bodies over a form's limit with 413). */
  sentBytes?: number;
}

/** Name → value of the cookies a browser would keep (an expired or emptied cookie drops out). */
export class CookieJar {
  readonly cookies = new Map<string, string>();

  absorb(response: Response): void {
    for (const header of response.headers.getSetCookie()) {
      const [pair = ""] = header.split(";");
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (/max-age=0/i.test(header) || /expires=thu, 01 jan 1970/i.test(header) || value === "") {
        this.cookies.delete(name);
      } else {
        this.cookies.set(name, value);
      }
    }
  }

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  }

  copy(): CookieJar {
    const jar = new CookieJar();
    for (const [name, value] of this.cookies) jar.cookies.set(name, value);
    return jar;
  }
}

/** The checkout form's hidden fields (ADR 0008): the idempotency key is bound to them. */
export interface CheckoutSnapshot {
  checkoutToken: string;
  items: string;
  expectedTotal: string;
}

export interface CheckoutDetails {
  name: string;
  phone: string;
  email: string;
  postalCode: string;
  address: string;
  paymentMethod: "credit" | "atm" | "cod";
  note?: string;
}

export const SAMPLE_DETAILS: Omit<CheckoutDetails, "phone" | "paymentMethod"> = {
  name: "王小明",
  email: "xiaoming@example.tw",
  postalCode: "100",
  address: "臺北市中正區重慶南路一段 122 號",
};

/** A distinct, valid Taiwanese mobile number for the i-th shopper of a run. */
export function mobileFor(i: number, salt = Date.now()): string {
  return `09${String((salt + i * 7919) % 100_000_000).padStart(8, "0")}`;
}

export function hiddenField(html: string, name: string): string | undefined {
  const match =
    new RegExp(`name="${name}" value="([^"]*)"`).exec(html) ?? new RegExp(`value="([^"]*)" name="${name}"`).exec(html);
  return match?.[1]
    ?.replace(/&amp;/g, "&")
    .replace(/&quot;/g, '"')
    .replace(/&#x27;/g, "'");
}

export class Shopper {
  readonly jar: CookieJar;

  constructor(
    readonly baseUrl: string,
    jar?: CookieJar,
  ) {
    const host = new URL(baseUrl).hostname;
    if (!["127.0.0.1", "localhost"].includes(host)) throw new Error(`only loopback storefronts, not ${host}`);
    this.jar = jar ?? new CookieJar();
  }

  async get(path: string, options: { keepCookies?: boolean } = {}): Promise<Page> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      headers: { cookie: this.jar.header(), "sec-fetch-site": "same-origin" },
      redirect: "manual",
    });
    if (options.keepCookies !== false) this.jar.absorb(response);
    return {
      status: response.status,
      headers: response.headers,
      text: await response.text(),
      location: response.headers.get("location"),
    };
  }

  /**
   * Posts a form as the browser does (same-origin headers). `body` is urlencoded fields, or a ready body with its
   * content type (multipart, junk). `keepCookies: false` leaves the jar as it was (a retry of the same form).
   */
  async post(
    path: string,
    body: Record<string, string> | URLSearchParams | { raw: RequestInit["body"]; contentType?: string },
    options: { keepCookies?: boolean; headers?: Record<string, string>; signal?: AbortSignal } = {},
  ): Promise<Page> {
    const headers: Record<string, string> = {
      cookie: this.jar.header(),
      origin: this.baseUrl,
      "sec-fetch-site": "same-origin",
      ...options.headers,
    };
    let payload: RequestInit["body"];
    if (body instanceof URLSearchParams) {
      payload = body.toString();
      headers["content-type"] = "application/x-www-form-urlencoded";
    } else if ("raw" in body) {
      payload = body.raw as RequestInit["body"];
      if (typeof body.contentType === "string") headers["content-type"] = body.contentType;
    } else {
      payload = new URLSearchParams(body as Record<string, string>).toString();
      headers["content-type"] = "application/x-www-form-urlencoded";
    }
    const response = await fetch(`${this.baseUrl}${path}`, {
      method: "POST",
      headers,
      body: payload,
      redirect: "manual",
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (options.keepCookies !== false) this.jar.absorb(response);
    return {
      status: response.status,
      headers: response.headers,
      text: await response.text(),
      location: response.headers.get("location"),
      ...(typeof payload === "string" ? { sentBytes: Buffer.byteLength(payload) } : {}),
    };
  }

  async addToCart(productId: string, quantity = 1): Promise<void> {
    const page = await this.post("/cart", { intent: "add", productId, quantity: String(quantity) });
    if (page.status !== 303 && page.status !== 302)
      throw new Error(`add to cart: ${page.status} ${page.text.slice(0, 200)}`);
  }

  /** Opens /checkout and reads the form's hidden fields (a fresh token each time). */
  async checkoutSnapshot(): Promise<CheckoutSnapshot> {
    const page = await this.get("/checkout");
    const checkoutToken = hiddenField(page.text, "checkoutToken");
    const items = hiddenField(page.text, "items");
    const expectedTotal = hiddenField(page.text, "expectedTotal");
    if (page.status !== 200 || !checkoutToken || !items || !expectedTotal) {
      throw new Error(`checkout page without a form: ${page.status} ${page.text.slice(0, 300)}`);
    }
    return { checkoutToken, items, expectedTotal };
  }

  /** Posts the checkout form. The cart cookie is kept in the jar only when `keepCookies` (default false). */
  submitCheckout(
    snapshot: CheckoutSnapshot,
    details: CheckoutDetails,
    options: { keepCookies?: boolean; signal?: AbortSignal } = {},
  ): Promise<Page> {
    return this.post(
      "/checkout",
      { ...snapshot, ...details, ...(details.note === undefined ? {} : { note: details.note }) } as Record<
        string,
        string
      >,
      { keepCookies: options.keepCookies ?? false, ...(options.signal ? { signal: options.signal } : {}) },
    );
  }
}

/** The order id a checkout answer names: the 303 to /orders/{id}, or the ECPay hand-off page's order link. */
export function orderIdOf(page: Page): string | undefined {
  const fromLocation = page.location && /\/orders\/([^/?#]+)/.exec(page.location)?.[1];
  if (fromLocation) return decodeURIComponent(fromLocation);
  if (page.status === 200) return /href="\/orders\/([^"/?#]+)"/.exec(page.text)?.[1];
  return undefined;
}

/**
 * Posts `bytes` of URL-encoded form body to `url` as a script would, with a `Content-Length` or chunked (no length),
 * and stops writing as soon as the answer arrives (a storefront that refuses the body answers without reading it).
 * Answers the status, the body and how many bytes were written.
 */
export function postOversizedForm(
  url: string,
  bytes: number,
  { chunked, headers = {} }: { chunked: boolean; headers?: Record<string, string> },
): Promise<{ status: number; text: string; sent: number }> {
  return new Promise((resolve, reject) => {
    let answered = false;
    let sent = 0;
    const req = httpRequest(
      url,
      {
        method: "POST",
        headers: {
          "Content-Type": "application/x-www-form-urlencoded",
          ...headers,
          ...(chunked ? { "Transfer-Encoding": "chunked" } : { "Content-Length": String(bytes) }),
        },
      },
      (res) => {
        answered = true;
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          text += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text, sent }));
        res.on("error", reject);
      },
    );
    // The server may close the connection once it has answered: a write error after that is expected.
    req.on("error", (error) => {
      if (!answered) reject(error);
    });
    const chunk = Buffer.from(`note=${"x".repeat(64 * 1024 - 5)}`);
    const write = () => {
      while (!answered && sent < bytes) {
        const part = chunk.subarray(0, Math.min(chunk.length, bytes - sent));
        sent += part.length;
        if (!req.write(part)) return void req.once("drain", write);
      }
      req.end();
    };
    write();
  });
}
