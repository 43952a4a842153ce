import type { InputHTMLAttributes, ReactNode } from "react";

interface FieldProps {
  name: string;
  label: string;
  error?: string;
  hint?: ReactNode;
  defaultValue?: string;
  required?: boolean;
  multiline?: boolean;
  type?: InputHTMLAttributes<HTMLInputElement>["type"];
  inputMode?: InputHTMLAttributes<HTMLInputElement>["inputMode"];
  autoComplete?: string;
  maxLength?: number;
  className?: string;
  /** Overrides the input id (default `field-<name>`), e.g. when two forms on a page share a name. */
  id?: string;
}

export const fieldId = (name: string) => `field-${name}`;

/** A labelled input with its hint and error tied to it for screen readers. */
export function Field({
  name,
  label,
  error,
  hint,
  defaultValue,
  required = false,
  multiline = false,
  type = "text",
  inputMode,
  autoComplete,
  maxLength,
  className = "",
  id: idOverride,
}: FieldProps) {
  const id = idOverride ?? fieldId(name);
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(" ") || undefined;
  const inputClass = `mt-1 block w-full rounded-lg border bg-white px-3 py-2.5 text-base text-stone-900 shadow-sm focus:outline-none focus:ring-2 focus:ring-brand-600 ${
    error ? "border-red-700" : "border-stone-400"
  }`;
  const common = {
    id,
    name,
    defaultValue,
    required,
    "aria-invalid": error ? true : undefined,
    "aria-describedby": describedBy,
    autoComplete,
    maxLength,
    className: inputClass,
  };
  return (
    <div className={className}>
      <label htmlFor={id} className="block font-medium text-stone-900">
        {label}
        {required ? null : <span className="ml-1 text-sm font-normal text-stone-600">（選填）</span>}
      </label>
      {hint ? (
        <p id={hintId} className="mt-0.5 text-sm text-stone-600">
          {hint}
        </p>
      ) : null}
      {multiline ? <textarea rows={3} {...common} /> : <input type={type} inputMode={inputMode} {...common} />}
      {error ? (
        <p id={errorId} className="mt-1 text-sm font-medium text-red-700">
          {error}
        </p>
      ) : null}
    </div>
  );
}
