/**
 * Copies `value` to the clipboard. Rendered hidden: app/enhance.js shows it on pages that load it (their route
 * declares `scripts: "enhance"`) when the browser can copy, and says the outcome in the status beside it. Without
 * JavaScript it stays hidden; the value itself is always on the page as selectable text.
 */
export function CopyButton({ value, label }: { value: string; label: string }) {
  return (
    <span className="inline-flex items-center gap-2">
      <button
        type="button"
        hidden
        data-copy={value}
        data-copied="已複製"
        data-failed="無法複製，請手動選取"
        className="rounded-md border border-stone-400 px-2.5 py-1 text-sm font-medium text-stone-800 hover:bg-stone-100 focus:outline-none focus-visible:ring-2 focus-visible:ring-brand-600"
      >
        複製<span className="sr-only">{label}</span>
      </button>
      <span role="status" className="text-sm text-brand-800" />
    </span>
  );
}
