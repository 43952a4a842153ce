import { createContext, useContext } from "react";

/**
 * The per-response CSP nonce, provided by entry.server. On the client it is undefined: browsers hide nonce
 * attributes from the DOM, and scripts that already ran need no nonce.
 */
const NonceContext = createContext<string | undefined>(undefined);

export const NonceProvider = NonceContext.Provider;

export function useNonce(): string | undefined {
  return useContext(NonceContext);
}
