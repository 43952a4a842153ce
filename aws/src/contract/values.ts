/**
 * The contract's plain values: patterns, enumerations and limits. Free of zod, so pages and browser code can import
 * them without shipping the schemas; index.ts builds the schemas from them and re-exports them.
 */

/** A Taiwan mobile number as stored: 09 followed by 8 digits. */
export const TAIWAN_MOBILE_PATTERN = /^09\d{8}$/;

/** Order ids are `YYMMDD-NNNNN`: the Taipei date the order was placed and five digits, easy to read over the phone. */
export const ORDER_ID_PATTERN = /^\d{6}-\d{5}$/;

export const PAYMENT_METHODS = ["credit", "atm", "cod"] as const;
export const ORDER_STATUSES = ["created", "awaiting_payment", "paid", "shipped", "cancelled"] as const;

/** Image objects in the bucket, e.g. `images/3f9a….jpg`; content-addressed so they can be cached for ever. */
export const IMAGE_KEY_PATTERN = /^images\/[A-Za-z0-9._-]{1,120}$/;
/** What the owner may upload, and the most an image may weigh (decoded). */
export const IMAGE_TYPES = ["image/jpeg", "image/png", "image/webp"] as const;
export type ImageType = (typeof IMAGE_TYPES)[number];
export const MAX_IMAGE_BYTES = 2 * 1024 * 1024;

/** The most of one product one order may hold. */
export const MAX_LINE_QUANTITY = 99;
