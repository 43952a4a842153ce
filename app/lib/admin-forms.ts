/**
 * What admin forms send back to the page: the submitted values and one message per field (parsing lives in
 * admin-forms.server.ts). Browser-safe.
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
