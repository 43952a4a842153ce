/**
 * The contract's plain values: patterns, enumerations and limits. Free of zod, so pages and browser code can import
 * them without shipping the schemas; index.ts builds the schemas from them and re-exports them.
 */

/** A Taiwan mobile number as stored: 09 followed by 8 digits. */
export const TAIWAN_MOBILE_PATTERN = /^09\d{8}$/;

/**
 * Order ids are `YYMMDD-NNNN-NNNN`: the Taipei date the order was placed and eight random digits in two groups, easy
 * to read over the phone and to type on a phone's number pad. Older ids have five digits (`YYMMDD-NNNNN`) and stay
 * valid. ADR 0004 has the arithmetic.
 */
export const ORDER_ID_PATTERN = /^\d{6}-(?:\d{4}-\d{4}|\d{5})$/;

/**
 * An order id as a shopper may type it: with full-width digits or dashes (a Chinese input method), with spaces, or
 * with no dashes at all (a phone's number pad has none). 14 digits are a current id and 11 a legacy one, put back in
 * their canonical form; anything else is returned as it came, for ORDER_ID_PATTERN to refuse.
 */
export function normaliseOrderId(typed: string): string {
  const digits = typed.normalize("NFKC").replace(/[\s\-\u2010-\u2015\u2212]/g, "");
  if (/^\d{14}$/.test(digits)) return `${digits.slice(0, 6)}-${digits.slice(6, 10)}-${digits.slice(10)}`;
  if (/^\d{11}$/.test(digits)) return `${digits.slice(0, 6)}-${digits.slice(6)}`;
  return typed;
}

export const PAYMENT_METHODS = ["credit", "atm", "cod"] as const;
export const ORDER_STATUSES = ["created", "awaiting_payment", "paid", "shipped", "cancelled"] as const;

/** Image objects in the bucket, e.g. `images/3f9a….jpg`; content-addressed so they can be cached for ever. */
export const IMAGE_KEY_PATTERN = /^images\/[A-Za-z0-9._-]{1,120}$/;
/** The photo types the owner may upload (the admin form's `accept`; photos.ts tells them apart by their bytes). */
export const IMAGE_TYPES = ["image/jpeg", "image/png", "image/webp"] as const;

/** The most of one product one order may hold. */
export const MAX_LINE_QUANTITY = 99;

/** Upper bounds on the owner's fees that keep a typo (an extra zero or three) from reaching a shopper's checkout. */
export const FEE_LIMITS = { fee: 5_000, freeShippingThreshold: 1_000_000, codSurcharge: 1_000 } as const;

/** The most a stock count may be set to: far beyond a small shop, far inside DynamoDB's numbers. */
export const MAX_STOCK = 1_000_000;
