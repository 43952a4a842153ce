/**
 * Server-side form handling for the admin: every submission is parsed with zod, and a failure carries the
 * submitted values back with one message per field, so the page shows the error next to the field and keeps
 * what the owner typed.
 */
import { z } from "zod";
import type { FieldErrors, FormFailure, FormSuccess, FormValues } from "./admin-forms";

/** Never echoed back to the page. */
const SECRET_FIELDS = new Set(["password"]);

/** The form's text entries; a repeated name becomes a list. Files are left to the caller. */
export function formValues(form: FormData | URLSearchParams): FormValues {
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
  return { ok: false, values, errors: fieldErrors(result.error) };
}

export function fieldErrors(error: z.ZodError): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of error.issues) {
    const name = String(issue.path[0] ?? "_form");
    errors[name] ??= issue.message;
  }
  return errors;
}

/** Empty inputs mean "not given". */
export const blank = (value: unknown) => (typeof value === "string" && value.trim() === "" ? undefined : value);

/** A field that may be repeated (checkbox lists) always parses as a list. */
export const asList = (value: unknown) => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** An HTML checkbox: present (any value) means on. */
export const checkbox = z.preprocess((value) => value !== undefined && value !== "" && value !== "false", z.boolean());
