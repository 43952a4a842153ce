/**
 * What a form action sends back to the page, storefront and admin alike: the submitted values and one message per
 * field (reading and parsing live in forms.server.ts). Browser-safe.
 */

export type FieldErrors = Record<string, string>;
export type FormValues = Record<string, string | string[]>;

/** What an action returns when it could not do what was asked; pages render it next to the form. */
export interface FormFailure {
  ok: false;
  values: FormValues;
  errors: FieldErrors;
  /** A message for the whole form (e.g. the API was unavailable). */
  formError?: string;
}

export interface FormSuccess<T> {
  ok: true;
  data: T;
  values: FormValues;
}

export function fieldValue(values: FormValues | undefined, name: string): string | undefined {
  const value = values?.[name];
  return Array.isArray(value) ? value[0] : value;
}
