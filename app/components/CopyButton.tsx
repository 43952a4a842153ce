import { useState } from "react";
import { useHydrated } from "../lib/use-hydrated";

/**
 * Copies `value` to the clipboard. Rendered only once scripts run (without JavaScript it could do nothing);
 * the value itself is always on the page as selectable text.
 */
export function CopyButton({ value, label }: { value: string; label: string }) {
  const hydrated = useHydrated();
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  if (!hydrated) return null;

  async function copy() {
    try {
      await navigator.clipboard.writeText(value);
      setState("copied");
    } catch {
      setState("failed");
    }
    window.setTimeout(() => setState("idle"), 3000);
  }

  return (
    <span className="inline-flex items-center gap-2">
      <button
        type="button"
        onClick={copy}
        className="rounded-md border border-stone-400 px-2.5 py-1 text-sm font-medium text-stone-800 hover:bg-stone-100 focus:outline-none focus-visible:ring-2 focus-visible:ring-brand-600"
      >
        複製<span className="sr-only">{label}</span>
      </button>
      <span role="status" className="text-sm text-brand-800">
        {state === "copied" ? "已複製" : state === "failed" ? "無法複製，請手動選取" : ""}
      </span>
    </span>
  );
}
