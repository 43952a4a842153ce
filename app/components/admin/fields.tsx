/**
 * Form controls for the admin: every control has a visible label, and its hint and error are tied to it with
 * aria-describedby (errors also set aria-invalid), so the error reads next to the field for everyone.
 */
import type { InputHTMLAttributes, ReactNode } from "react";

const inputClass = (error?: string) =>
  `mt-1 block w-full rounded-md border bg-white px-3 py-2 text-base text-stone-900 shadow-sm focus:outline-none focus:ring-2 focus:ring-brand-600 ${
    error ? "border-red-700" : "border-stone-400"
  }`;

interface Described {
  id: string;
  hint?: ReactNode;
  error?: string;
}

function describedBy({ id, hint, error }: Described): string | undefined {
  return [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(" ") || undefined;
}

function HintAndError({ id, hint, error }: Described) {
  return (
    <>
      {hint ? (
        <p id={`${id}-hint`} className="mt-1 text-sm text-stone-600">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={`${id}-error`} className="mt-1 text-sm font-medium text-red-700">
          {error}
        </p>
      ) : null}
    </>
  );
}

interface TextFieldProps {
  name: string;
  label: string;
  id?: string;
  defaultValue?: string;
  error?: string;
  hint?: ReactNode;
  required?: boolean;
  type?: InputHTMLAttributes<HTMLInputElement>["type"];
  inputMode?: InputHTMLAttributes<HTMLInputElement>["inputMode"];
  autoComplete?: string;
  maxLength?: number;
  placeholder?: string;
  multiline?: boolean;
  rows?: number;
  accept?: string;
  className?: string;
}

export function TextField({
  name,
  label,
  id = `admin-${name}`,
  defaultValue,
  error,
  hint,
  required = false,
  type = "text",
  inputMode,
  autoComplete,
  maxLength,
  placeholder,
  multiline = false,
  rows = 3,
  accept,
  className = "",
}: TextFieldProps) {
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
      {multiline ? (
        <textarea {...common} defaultValue={defaultValue} rows={rows} maxLength={maxLength} />
      ) : type === "file" ? (
        <input {...common} type="file" accept={accept} />
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
      <HintAndError id={id} hint={hint} error={error} />
    </div>
  );
}

interface SelectFieldProps {
  name: string;
  label: string;
  id?: string;
  options: readonly { value: string; label: string }[];
  defaultValue?: string;
  error?: string;
  hint?: ReactNode;
  className?: string;
}

export function SelectField({
  name,
  label,
  id = `admin-${name}`,
  options,
  defaultValue,
  error,
  hint,
  className = "",
}: SelectFieldProps) {
  return (
    <div className={className}>
      <label htmlFor={id} className="block font-medium text-stone-900">
        {label}
      </label>
      <select
        id={id}
        name={name}
        defaultValue={defaultValue ?? ""}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy({ id, hint, error })}
        className={inputClass(error)}
      >
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
      <HintAndError id={id} hint={hint} error={error} />
    </div>
  );
}

interface CheckboxFieldProps {
  name: string;
  label: ReactNode;
  id?: string;
  value?: string;
  defaultChecked?: boolean;
  error?: string;
  hint?: ReactNode;
  className?: string;
}

export function CheckboxField({
  name,
  label,
  id = `admin-${name}`,
  value = "yes",
  defaultChecked,
  error,
  hint,
  className = "",
}: CheckboxFieldProps) {
  return (
    <div className={className}>
      <div className="flex items-start gap-2">
        <input
          id={id}
          type="checkbox"
          name={name}
          value={value}
          defaultChecked={defaultChecked}
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy({ id, hint, error })}
          className="mt-1 h-4 w-4 rounded border-stone-400 text-brand-700 focus:ring-brand-600"
        />
        <label htmlFor={id} className="text-stone-900">
          {label}
        </label>
      </div>
      <HintAndError id={id} hint={hint} error={error} />
    </div>
  );
}

/** The form-level outcome: an error (announced at once) or a confirmation. */
export function FormMessage({ error, success, detail }: { error?: string; success?: string; detail?: string }) {
  if (error) {
    return (
      <div role="alert" className="rounded-md border border-red-300 bg-red-50 px-4 py-3 text-red-800">
        <p className="font-medium">{error}</p>
        {detail ? <p className="mt-1 text-sm">{detail}</p> : null}
      </div>
    );
  }
  if (success) {
    return (
      <div role="status" className="rounded-md border border-brand-600 bg-brand-50 px-4 py-3 text-brand-900">
        <p className="font-medium">{success}</p>
        {detail ? <p className="mt-1 text-sm">{detail}</p> : null}
      </div>
    );
  }
  return null;
}

export const buttonClass = {
  primary:
    "inline-flex items-center justify-center rounded-md bg-brand-700 px-4 py-2 font-medium text-white hover:bg-brand-800 focus:outline-none focus:ring-2 focus:ring-brand-600 focus:ring-offset-2 disabled:opacity-60",
  secondary:
    "inline-flex items-center justify-center rounded-md border border-stone-400 bg-white px-4 py-2 font-medium text-stone-900 hover:bg-stone-100 focus:outline-none focus:ring-2 focus:ring-brand-600 focus:ring-offset-2 disabled:opacity-60",
  danger:
    "inline-flex items-center justify-center rounded-md bg-red-700 px-4 py-2 font-medium text-white hover:bg-red-800 focus:outline-none focus:ring-2 focus:ring-red-600 focus:ring-offset-2 disabled:opacity-60",
  small:
    "inline-flex items-center justify-center rounded border border-stone-400 bg-white px-2 py-1 text-sm font-medium text-stone-900 hover:bg-stone-100 focus:outline-none focus:ring-2 focus:ring-brand-600 disabled:cursor-not-allowed disabled:opacity-40",
} as const;
