import { useEffect, useState } from "react";

/**
 * False during the server render and the first client render (so hydration matches), true once scripts run.
 * Lets a page show controls that need JavaScript (copy buttons) or ask fetchers for data instead of a redirect.
 */
export function useHydrated(): boolean {
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  return hydrated;
}
