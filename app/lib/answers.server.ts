/**
 * The answers shopper pages share: not found (the root error boundary's friendly 404), the shop closed by the owner
 * (503 with the owner's message) and "temporarily unavailable" (503) when S3 content cannot be read.
 */
import { data } from "@remix-run/cloudflare";
import { ContentUnavailableError } from "../../worker/content.server";
import { DEFAULT_CLOSED_MESSAGE, type ServiceUnavailableData } from "./shop";

/** The 503 every shopper page answers while the owner has closed the shop. */
export function closedResponse(message: string | undefined) {
  return serviceUnavailable({ reason: "closed", message: message || DEFAULT_CLOSED_MESSAGE });
}

/**
 * The order API refused this deployment's address as a storefront origin (its AllowedOrigins lacks it): a
 * configuration mistake, not the shopper's, and nothing was stored. Logged for the owner; the shopper is told where
 * ordering works.
 */
export function originRefusedMessage(at: string, origin: string | undefined): string {
  console.error(JSON.stringify({ at, problem: "origin_not_allowed", origin }));
  return "這個網址無法付款結帳，請改到本店的正式網址下單。";
}

export function notFound() {
  return data(null, { status: 404 });
}

export async function orUnavailable<T>(pending: Promise<T>): Promise<T> {
  try {
    return await pending;
  } catch (error) {
    if (error instanceof ContentUnavailableError) throw serviceUnavailable({ reason: "unavailable" });
    throw error;
  }
}

function serviceUnavailable(body: ServiceUnavailableData) {
  return data(body, {
    status: 503,
    headers: {
      "Cache-Control": "no-store",
      // Crawlers keep the page indexed and come back, rather than dropping it.
      "Retry-After": body.reason === "closed" ? "3600" : "60",
    },
  });
}
