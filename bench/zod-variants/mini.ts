// See README.md: a benchmark fixture (same schemas in both files), not a port of the contract.
import * as z from "zod/mini";

const twd = z.number().check(z.int(), z.minimum(0), z.maximum(10_000_000));
const phone = z.pipe(
  z.string().check(
    z.trim(),
    z.overwrite((s) => s.replace(/[\s-]/g, "")),
  ),
  z.string().check(z.regex(/^09\d{8}$/, "x")),
);
const customer = z.object({
  name: z.string().check(z.trim(), z.minLength(1), z.maxLength(50)),
  phone,
  email: z.string().check(z.trim(), z.maxLength(254), z.email()),
  address: z.string().check(z.trim(), z.minLength(5)),
});
const item = z.object({
  productId: z.string().check(z.regex(/^[a-z]+$/)),
  quantity: z.number().check(z.int(), z.minimum(1), z.maximum(99)),
});
export const req = z.object({
  idempotencyKey: z.string().check(z.regex(/^x$/)),
  items: z.array(item).check(
    z.minLength(1),
    z.maxLength(50),
    z.refine((i) => i.length > 0),
  ),
  customer,
  paymentMethod: z.enum(["credit", "atm", "cod"]),
  expectedTotal: z.optional(twd),
  note: z.optional(z.string().check(z.trim(), z.maxLength(500))),
});
const history = z.object({
  at: z.iso.datetime(),
  from: z.nullable(z.enum(["a", "b"])),
  to: z.enum(["a", "b"]),
  note: z.optional(z.string()),
});
export const order = z.object({
  id: z.string(),
  createdAt: z.iso.datetime(),
  lines: z.array(z.object({ productId: z.string(), unitPrice: twd })),
  customer,
  history: z.array(history),
  payment: z.optional(z.object({ m: z.string(), atm: z.optional(z.object({ b: z.string() })) })),
});
export const redirect = z.object({ action: z.url(), fields: z.record(z.string(), z.string()) });
export const env = z.object({
  ENV: z.enum(["local", "stag", "prod"]),
  A: z._default(z.string(), "dev"),
  U: z.url(),
  L: z._default(z.coerce.number().check(z.int()), 50),
  B: z.literal(true),
});
export const cb = z.object({
  RtnCode: z.pipe(
    z.string().check(z.regex(/^-?\d+$/)),
    z.transform((s) => Number(s)),
  ),
  S: z.pipe(
    z.enum(["0", "1"]),
    z.transform((s) => Number(s)),
  ),
});
export const handler = async (event: { body?: string }) => ({
  statusCode: 200,
  body: JSON.stringify([parse(JSON.parse(event.body ?? "{}")), e({})]),
});
export function parse(x: unknown) {
  const r = req.safeParse(x);
  return r.success ? order.parse(x) : z.prettifyError(r.error);
}
export const e = (x: unknown) => [env.parse(x), cb.parse(x), redirect.parse(x)];
