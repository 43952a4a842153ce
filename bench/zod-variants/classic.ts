// See README.md: a benchmark fixture (same schemas in both files), not a port of the contract.
import * as z from "zod";

const twd = z.number().int().min(0).max(10_000_000);
const phone = z
  .string()
  .trim()
  .transform((s) => s.replace(/[\s-]/g, ""))
  .pipe(z.string().regex(/^09\d{8}$/, "x"));
const customer = z.object({
  name: z.string().trim().min(1).max(50),
  phone,
  email: z.string().trim().max(254).email(),
  address: z.string().trim().min(5),
});
const item = z.object({ productId: z.string().regex(/^[a-z]+$/), quantity: z.number().int().min(1).max(99) });
export const req = z.object({
  idempotencyKey: z.string().regex(/^x$/),
  items: z
    .array(item)
    .min(1)
    .max(50)
    .refine((i) => i.length > 0),
  customer,
  paymentMethod: z.enum(["credit", "atm", "cod"]),
  expectedTotal: twd.optional(),
  note: z.string().trim().max(500).optional(),
});
const history = z.object({
  at: z.string().datetime(),
  from: z.enum(["a", "b"]).nullable(),
  to: z.enum(["a", "b"]),
  note: z.string().optional(),
});
export const order = z.object({
  id: z.string(),
  createdAt: z.string().datetime(),
  lines: z.array(z.object({ productId: z.string(), unitPrice: twd })),
  customer,
  history: z.array(history),
  payment: z.object({ m: z.string(), atm: z.object({ b: z.string() }).optional() }).optional(),
});
export const redirect = z.object({ action: z.string().url(), fields: z.record(z.string(), z.string()) });
export const env = z.object({
  ENV: z.enum(["local", "stag", "prod"]),
  A: z.string().default("dev"),
  U: z.string().url(),
  L: z.coerce.number().int().default(50),
  B: z.literal(true),
});
export const cb = z.object({
  RtnCode: z
    .string()
    .regex(/^-?\d+$/)
    .transform((s) => Number(s)),
  S: z.enum(["0", "1"]).transform((s) => Number(s)),
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
