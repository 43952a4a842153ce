/**
 * The labelled field, for every form (storefront and admin): a visible label ("（選填）" when optional), and the
 * hint and error tied to the control with aria-describedby (errors also set aria-invalid), so the error reads next
 * to the field for everyone. `FieldHint`, `FieldError` and `describedBy` serve the other controls (admin/fields.tsx).
 */
import type { InputHTMLAttributes, ReactNode } from "react";

export const fieldId = (name: string) => `field-${name}`;

export const inputClass = (error?: string) =>
  `mt-1 block w-full rounded-lg border bg-white px-3 py-2.5 text-base text-stone-900 shadow-sm focus:outline-none focus:ring-2 focus:ring-brand-600 ${
    error ? "border-red-700" : "border-stone-400"
  }`;

interface Described {
  id: string;
  hint?: ReactNode;
  error?: string;
}

export function describedBy({ id, hint, error }: Described): string | undefined {
  return [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(" ") || undefined;
}

/** The hint under a label, with the id `describedBy` names. */
export function FieldHint({ id, hint }: Omit<Described, "error">) {
  return hint ? (
    <p id={`${id}-hint`} className="mt-0.5 text-sm text-stone-600">
      {hint}
    </p>
  ) : null;
}

/** The error under a control, with the id `describedBy` names. */
export function FieldError({ id, error }: Omit<Described, "hint">) {
  return error ? (
    <p id={`${id}-error`} className="mt-1 text-sm font-medium text-red-700">
      {error}
    </p>
  ) : null;
}

interface FieldProps {
  name: string;
  label: string;
  /** Overrides the input id (default `field-<name>`), e.g. when two forms on a page share a name. */
  id?: string;
  error?: string;
  hint?: ReactNode;
  defaultValue?: string;
  required?: boolean;
  multiline?: boolean;
  rows?: number;
  type?: InputHTMLAttributes<HTMLInputElement>["type"];
  inputMode?: InputHTMLAttributes<HTMLInputElement>["inputMode"];
  autoComplete?: string;
  maxLength?: number;
  placeholder?: string;
  /** File inputs: the types offered. */
  accept?: string;
  /** File inputs: told when the choice changes (e.g. to point out a file that is too large at once). */
  onFileChange?: (file: File | undefined) => void;
  className?: string;
}

/** A labelled input, textarea or file input with its hint and error. */
export function Field({
  name,
  label,
  id = fieldId(name),
  error,
  hint,
  defaultValue,
  required = false,
  multiline = false,
  rows = 3,
  type = "text",
  inputMode,
  autoComplete,
  maxLength,
  placeholder,
  accept,
  onFileChange,
  className = "",
}: FieldProps) {
  const common = {
    id,
    name,
    required,
    "aria-invalid": error ? true : undefined,
    "aria-describedby": describedBy({ id, hint, error }),
    className: inputClass(error),
  };
  return (
    <div className={className}>
      <label htmlFor={id} className="block font-medium text-stone-900">
        {label}
        {required ? null : <span className="ml-1 text-sm font-normal text-stone-600">（選填）</span>}
      </label>
      <FieldHint id={id} hint={hint} />
      {multiline ? (
        <textarea {...common} defaultValue={defaultValue} rows={rows} maxLength={maxLength} />
      ) : type === "file" ? (
        <input
          {...common}
          type="file"
          accept={accept}
          onChange={onFileChange ? (event) => onFileChange(event.currentTarget.files?.[0]) : undefined}
        />
      ) : (
        <input
          {...common}
          type={type}
          defaultValue={defaultValue}
          inputMode={inputMode}
          autoComplete={autoComplete}
          maxLength={maxLength}
          placeholder={placeholder}
        />
      )}
      <FieldError id={id} error={error} />
    </div>
  );
}
