/**
 * The admin's other form controls (text fields are ../Field.tsx): select lists and checkboxes labelled and described
 * the same way, the form-level message, and the button styles.
 */
import type { ReactNode } from "react";
import { describedBy, FieldError, FieldHint, fieldId, inputClass } from "../Field";

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
  id = fieldId(name),
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
      <FieldHint id={id} hint={hint} />
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
      <FieldError id={id} error={error} />
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
  id = fieldId(name),
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
      <FieldHint id={id} hint={hint} />
      <FieldError id={id} error={error} />
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
