import { useNonce } from "../lib/nonce";
import { jsonLdText } from "../lib/seo";

/**
 * Structured data for search engines. A data block, not a script the browser runs, so the CSP does not apply;
 * it carries the nonce anyway. Browsers hide nonces from the DOM, hence suppressHydrationWarning.
 */
export function JsonLd({ data }: { data: unknown }) {
  const nonce = useNonce();
  return (
    <script
      type="application/ld+json"
      nonce={nonce}
      suppressHydrationWarning
      // biome-ignore lint/security/noDangerouslySetInnerHtml: jsonLdText escapes <, > and & so nothing can end the element.
      dangerouslySetInnerHTML={{ __html: jsonLdText(data) }}
    />
  );
}
