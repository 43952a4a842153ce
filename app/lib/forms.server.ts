/**
 * Reading and parsing forms, for every action (storefront and admin):
 *   - `readForm`: the body of a form post. `request.formData()` throws on a body that is not a form (JSON, plain
 *     text, a multipart body without a usable boundary, bytes that do not parse), and Remix turns a thrown error
 *     into a 500 — a server error for what is bad input. A body of another type is refused with 415, an
 *     unreadable one with 400, each with a reason and no caching.
 *   - `assertSameSite`: a shopper's state-changing post must come from our own pages (worker/origin.ts).
 *   - `parseForm`: zod over the fields; a failure carries the submitted values back with one message per field, so
 *     the page shows the error next to the field and keeps what was typed.
 *   - `formErrors`: field messages by dotted path (zod's or the order API's) onto the form's own field names.
 */
import { z } from "zod";
import { fieldErrorsOf } from "../../aws/src/contract";
import { checkOrigin, crossSiteRefusal } from "../../worker/origin";
import type { FieldErrors, FormFailure, FormSuccess, FormValues } from "./forms";

const FORM_TYPES = new Set(["application/x-www-form-urlencoded", "multipart/form-data"]);

export const UNREADABLE_FORM_MESSAGE = "無法讀取送出的表單，請重新整理頁面後再試一次。";

function unreadable(status: 400 | 415): Response {
  return Response.json(
    { ok: false, message: UNREADABLE_FORM_MESSAGE },
    { status, headers: { "Cache-Control": "no-store" } },
  );
}

export async function readForm(request: Request): Promise<FormData> {
  const type = (request.headers.get("Content-Type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (!FORM_TYPES.has(type)) throw unreadable(415);
  try {
    return await request.formData();
  } catch {
    throw unreadable(400);
  }
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

/** An HTML checkbox: present (any value) means on. */
export const checkbox = z.preprocess((value) => value !== undefined && value !== "" && value !== "false", z.boolean());
