/**
 * The checkout form's field names, one list for everything that handles the form (browser-safe): the fields the
 * shopper fills in (parsed by checkout.server.ts, labelled by the page), the hidden snapshot the idempotency key is
 * bound to (ADR 0008), and what the form keeps while the shopper is on the store map (pickup.server.ts, ADR 0027).
 */

export const CHECKOUT_FIELDS = [
  "name",
  "phone",
  "email",
  "postalCode",
  "address",
  "paymentMethod",
  "note",
  // Store pickup and the e-invoice (ADR 0027; app/lib/pickup.server.ts).
  "deliveryMethod",
  "chain",
  "storeTicket",
  "invoiceCarrier",
  "invoiceCode",
  "companyName",
] as const;
export type CheckoutField = (typeof CHECKOUT_FIELDS)[number];

/** The hidden fields of one rendering of the form: its token, what is being ordered, and the totals it showed. */
export const SNAPSHOT_FIELDS = ["checkoutToken", "items", "expectedTotal"] as const;

/** What the form keeps while the shopper is on the store map: all of it but the ticket (the map brings a new one). */
export const STORE_MAP_DRAFT_FIELDS = [
  ...CHECKOUT_FIELDS.filter((field) => field !== "storeTicket"),
  ...SNAPSHOT_FIELDS,
] as const;
