/**
 * Reading and parsing forms, for every action (storefront and admin):
 *   - `readForm`: the body of a form post, at most the route's FORM_LIMITS bytes. A bigger one is refused with 413
 *     before anything is parsed: by its `Content-Length`, and, for a body without one (chunked), by counting while
 *     it streams in and stopping at the limit. `request.formData()` throws on a body that is not a form (JSON, plain
 *     text, a multipart body without a usable boundary, bytes that do not parse), and Remix turns a thrown error
 *     into a 500 — a server error for what is bad input. A body of another type is refused with 415, an
 *     unreadable one with 400, each with a reason and no caching.
 *   - `assertSameSite`: a shopper's state-changing post must come from our own pages (worker/origin.ts).
 *   - `parseForm`: zod over the fields; a failure carries the submitted values back with one message per field, so
 *     the page shows the error next to the field and keeps what was typed.
 *   - `formErrors`: field messages by dotted path (zod's or the order API's) onto the form's own field names.
 */
import { z } from "zod";
import { fieldErrorsOf, MAX_UPLOAD_BYTES } from "../../aws/src/contract";
import { checkOrigin, crossSiteRefusal } from "../../worker/origin";
import type { FieldErrors, FormFailure, FormSuccess, FormValues } from "./forms";

const FORM_TYPES = new Set(["application/x-www-form-urlencoded", "multipart/form-data"]);

export const UNREADABLE_FORM_MESSAGE = "無法讀取送出的表單，請重新整理頁面後再試一次。";

/** The most a form post may carry, in bytes, by kind of form (docs/security.md). */
export const FORM_LIMITS = {
  /**
   * The shop's forms (cart, checkout, order lookup) and the owner's login: short fields. The largest, a checkout with
   * a 500-character note in Chinese, is under 6 KB URL-encoded.
   */
  shop: 16 * 1024,
  /** The admin's forms: a product's 2,000-character description, URL-encoded, is about 18 KB. */
  admin: 64 * 1024,
  /**
   * A product form carrying its photo, and the photo the form's script sends ahead (POST /admin/photos): half as much
   * again as a photo may weigh (MAX_UPLOAD_BYTES, 20 MB), so a file somewhat over the limit (a 25 MB photo) still
   * reaches the form's own check and gets its message next to the field, with what was typed kept; only a body
   * beyond 30 MB is this 413. At most 30 MB read and 30 MB parsed stays well inside a Worker's 128 MB.
   */
  adminWithPhoto: (MAX_UPLOAD_BYTES * 3) / 2,
} as const;

function unreadable(status: 400 | 415): Response {
  return Response.json(
    { ok: false, message: UNREADABLE_FORM_MESSAGE },
    { status, headers: { "Cache-Control": "no-store" } },
  );
}

/** The limit as the owner or shopper reads it: KB for the text forms, MB for the photo forms. */
function limitText(maxBytes: number): string {
  return maxBytes >= 1024 * 1024 ? `${Math.floor(maxBytes / 1024 / 1024)} MB` : `${Math.floor(maxBytes / 1024)} KB`;
}

function tooLarge(maxBytes: number): Response {
  return Response.json(
    { ok: false, message: `送出的內容太大（上限 ${limitText(maxBytes)}），請縮短後再試一次。` },
    { status: 413, headers: { "Cache-Control": "no-store" } },
  );
}

/** The named fields of a submitted form that are strings, each cut to 1,000 characters (for the page to show back). */
export function pickStrings<F extends string>(
  submitted: Record<string, unknown>,
  names: readonly F[],
): Partial<Record<F, string>> {
  const values: Partial<Record<F, string>> = {};
  for (const name of names) {
    const value = submitted[name];
    if (typeof value === "string") values[name] = value.slice(0, 1000);
  }
  return values;
}

export async function readForm(request: Request, maxBytes: number): Promise<FormData> {
  const type = request.headers.get("Content-Type") ?? "";
  if (!FORM_TYPES.has(type.split(";")[0]!.trim().toLowerCase())) throw unreadable(415);
  const body = await readBody(request, maxBytes);
  try {
    return await new Response(body, { headers: { "Content-Type": type } }).formData();
  } catch {
    throw unreadable(400);
  }
}

/** The body's bytes, refused (413) by its declared length or, without one, as soon as more than `maxBytes` arrived. */
async function readBody(request: Request, maxBytes: number): Promise<Uint8Array<ArrayBuffer>> {
  const declared = request.headers.get("Content-Length");
  if (declared !== null && Number(declared) > maxBytes) throw tooLarge(maxBytes);
  const body = new Uint8Array(Math.min(maxBytes, Number(declared) || 64 * 1024));
  if (!request.body) return body.subarray(0, 0);
  const reader = request.body.getReader();
  let buffer = body;
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (size + value.byteLength > maxBytes) {
      await reader.cancel().catch(() => {});
      throw tooLarge(maxBytes);
    }
    if (size + value.byteLength > buffer.length) {
      const grown = new Uint8Array(Math.min(maxBytes, Math.max(buffer.length * 2, size + value.byteLength)));
      grown.set(buffer.subarray(0, size));
      buffer = grown;
    }
    buffer.set(value, size);
    size += value.byteLength;
  }
  return buffer.subarray(0, size);
}

/** Throws the one cross-site refusal (403) unless a shopper's post comes from our own pages. */
export function assertSameSite(request: Request): void {
  const check = checkOrigin(request, "shop");
  if (!check.ok) throw crossSiteRefusal(check);
}

/** Never echoed back to the page. */
const SECRET_FIELDS = new Set(["password"]);

/** The form's text entries; a repeated name becomes a list. Files are left to the caller. */
function formValues(form: FormData | URLSearchParams): FormValues {
  const values: FormValues = {};
  for (const [name, value] of form.entries()) {
    if (typeof value !== "string" || SECRET_FIELDS.has(name)) continue;
    const existing = values[name];
    if (existing === undefined) values[name] = value;
    else values[name] = Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return values;
}

export function parseForm<S extends z.ZodType>(
  schema: S,
  form: FormData | URLSearchParams,
): FormSuccess<z.output<S>> | FormFailure {
  const values = formValues(form);
  const input: Record<string, unknown> = { ...values };
  // Secret fields are parsed but never returned.
  for (const name of SECRET_FIELDS) {
    const value = form.get(name);
    if (typeof value === "string") input[name] = value;
  }
  const result = schema.safeParse(input);
  if (result.success) return { ok: true, data: result.data, values };
  return { ok: false, values, errors: formErrors(fieldErrorsOf(result.error)) };
}

/**
 * Messages keyed by dotted path (`fieldErrorsOf`, or an API failure's `fields`) as the form's field errors, the
 * first message for each field. By default a path names the field by its first part (`ids.2` is `ids`); pass the
 * form's field names to match by the last part instead (`customer.phone` and `products.3.name` are `phone` and
 * `name`), dropping paths that name none of them.
 */
export function formErrors(fields: Record<string, string> | undefined, names?: readonly string[]): FieldErrors {
  const errors: FieldErrors = {};
  for (const [path, message] of Object.entries(fields ?? {})) {
    const parts = path.split(".");
    const name = names ? parts.at(-1) : parts[0];
    if (name === undefined || (names && !names.includes(name))) continue;
    errors[name] ??= message;
  }
  return errors;
}

/** Empty inputs mean "not given". */
export const blank = (value: unknown) => (typeof value === "string" && value.trim() === "" ? undefined : value);

/** A field that may be repeated (checkbox lists) always parses as a list. */
export const asList = (value: unknown) => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/**
 * An amount in New Taiwan dollars as the owner types it — "450", "1,280", "NT$1280" — as a number; `message` when it
 * is not a whole number. Bounds are the caller's (the contract's, where it has them).
 */
export const twdText = (message: string) =>
  z
    .string()
    .trim()
    .transform((value) => value.replace(/^NT\$/i, "").replace(/[,\s，]/g, ""))
    .pipe(z.string().regex(/^-?\d+$/, message))
    .transform(Number);

/** An HTML checkbox: present (any value) means on. */
export const checkbox = z.preprocess((value) => value !== undefined && value !== "" && value !== "false", z.boolean());
