/**
 * Store pickup as the checkout shows it (ADR 0027): the chains' names and the store inside a ticket, for display only
 * (app/lib/pickup.server.ts signs and verifies tickets; the order API checks the store again). Browser-safe.
 */
import type { PickupStore } from "../../aws/src/contract";
import { CVS_CHAIN_NAMES, type CvsChain } from "../../aws/src/domain/pickup";

export const chainName = (chain: string): string => CVS_CHAIN_NAMES[chain as CvsChain] ?? chain;

/** The store a ticket names (not verified: display only). */
export function storeOfTicket(ticket: string | undefined | null): PickupStore | null {
  const payload = ticket?.split(".")[0];
  if (!payload) return null;
  try {
    const json = new TextDecoder().decode(
      Uint8Array.from(atob(payload.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0)),
    );
    const value = JSON.parse(json) as { s?: PickupStore };
    return value.s && typeof value.s.name === "string" ? value.s : null;
  } catch {
    return null;
  }
}
