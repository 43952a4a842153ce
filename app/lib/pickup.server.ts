/**
 * Store pickup at checkout (ADR 0027): the round trip through ECPay's store map, without JavaScript.
 *
 * 1. "選擇門市" posts the checkout form to /checkout/store-map: what the shopper typed is kept in a short-lived signed
 *    cookie with a fresh random token, and the page hands the browser to ECPay's map (a form the shopper submits)
 *    with the token in ExtraData.
 * 2. ECPay's map posts the chosen store back through the shopper's browser to /checkout/store: a cross-site POST
 *    (no SameSite=Lax cookie arrives), unsigned. Its fields are untrusted input: checked for shape here (and by the
 *    order API again), never used for a price. The answer is a 303 to /checkout with a ticket: the store and the
 *    token, signed with SESSION_SECRET.
 * 3. GET /checkout (a top-level navigation: the cookie arrives) accepts the ticket only for the token in this
 *    browser's cookie, so a ticket from anyone else's map session is refused; it restores the form and shows the
 *    store with a way to change it. The form carries the ticket; the submit checks its signature again.
 */
import { data, redirect } from "@remix-run/cloudflare";
import { z } from "zod";
import { type PickupStore, pickupStoreSchema } from "../../aws/src/contract";
import { CVS_CHAINS, chainOfSubType } from "../../aws/src/domain/pickup";
import type { BffContext } from "../../worker/context";
import { pickupDraftHeader, readPickupDraft } from "../../worker/cookies.server";
import { cvsMapForm } from "../../worker/order-api.server";
import { storefrontOrigin } from "../../worker/origin";
import { base64url, hmacSha256 } from "../../worker/signing";
import { STORE_MAP_DRAFT_FIELDS } from "./checkout-fields";
import { assertSameSite, FORM_LIMITS, pickStrings, readForm } from "./forms.server";

function fromBase64url(s: string): Uint8Array | null {
  try {
    const bin = atob(s.replace(/-/g, "+").replace(/_/g, "/"));
    return Uint8Array.from(bin, (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

const hmac = (secret: string, message: string) => hmacSha256(secret, `pickup-store-v1\n${message}`);

/** `base64url(JSON {t, s}).base64url(HMAC)`: the store the map sent, for the checkout with token `t`. */
export async function signStoreTicket(secret: string, token: string, store: PickupStore): Promise<string> {
  const payload = base64url(new TextEncoder().encode(JSON.stringify({ t: token, s: store })));
  return `${payload}.${base64url(await hmac(secret, payload))}`;
}

/** The ticket's store when its signature holds (and, given a token, it is for that token); else null. */
export async function readStoreTicket(secret: string, ticket: string, token?: string): Promise<PickupStore | null> {
  const [payload, mac, extra] = ticket.split(".");
  if (!payload || !mac || extra !== undefined || ticket.length > 2000) return null;
  const expected = base64url(await hmac(secret, payload));
  if (expected.length !== mac.length) return null;
  let diff = 0;
  for (let i = 0; i < mac.length; i++) diff |= mac.charCodeAt(i) ^ expected.charCodeAt(i);
  if (diff !== 0) return null;
  const bytes = fromBase64url(payload);
  if (!bytes) return null;
  try {
    const value = JSON.parse(new TextDecoder().decode(bytes)) as { t?: unknown; s?: unknown };
    if (token !== undefined && value.t !== token) return null;
    const store = pickupStoreSchema.safeParse(value.s);
    return store.success ? store.data : null;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// 1. To the map

export type StoreMapData = { action: string; fields: Record<string, string> };

export async function startStoreMap(bff: BffContext, request: Request) {
  assertSameSite(request);
  const submitted = Object.fromEntries(await readForm(request, FORM_LIMITS.shop));
  const fields: Record<string, string> = { ...pickStrings(submitted, STORE_MAP_DRAFT_FIELDS), deliveryMethod: "cvs" };
  const token = base64url(crypto.getRandomValues(new Uint8Array(12)));
  const headers = new Headers({ "Set-Cookie": await pickupDraftHeader(bff.env, { token, fields }) });
  const chain = z.enum(CVS_CHAINS).safeParse(submitted.chain);
  if (!chain.success) return redirect("/checkout?pickup=chain", { status: 303, headers });
  const origin = storefrontOrigin(request, bff.env.SITE_URL);
  const map = await cvsMapForm(bff, {
    chain: chain.data,
    payOnPickup: submitted.paymentMethod === "cod",
    token,
    ...(origin ? { origin } : {}),
  });
  if (!map.ok) return redirect("/checkout?pickup=unavailable", { status: 303, headers });
  return data<StoreMapData>({ action: map.data.action, fields: map.data.fields }, { headers });
}

// ---------------------------------------------------------------------------------------------
// 2. Back from the map (cross-site, unsigned)

const mapReplySchema = z.object({
  LogisticsSubType: z.string().max(20),
  CVSStoreID: z.string(),
  CVSStoreName: z.string(),
  CVSAddress: z.string(),
  CVSOutSide: z.string().optional(),
  ExtraData: z.string().regex(/^[A-Za-z0-9_-]{16}$/),
});

export async function receiveStore(bff: BffContext, request: Request) {
  let reply: z.infer<typeof mapReplySchema> | null = null;
  try {
    const parsed = mapReplySchema.safeParse(Object.fromEntries(await readForm(request, FORM_LIMITS.shop)));
    reply = parsed.success ? parsed.data : null;
  } catch {
    reply = null;
  }
  const chain = reply ? chainOfSubType(reply.LogisticsSubType) : undefined;
  const store =
    reply && chain
      ? pickupStoreSchema.safeParse({
          chain,
          id: reply.CVSStoreID,
          name: reply.CVSStoreName,
          address: reply.CVSAddress,
          ...(reply.CVSOutSide === "1" ? { outlying: true } : {}),
        })
      : null;
  if (!reply || !store?.success) {
    console.warn(JSON.stringify({ at: "pickup", problem: "bad_map_reply" }));
    return redirect("/checkout?pickup=store", 303);
  }
  const ticket = await signStoreTicket(bff.env.SESSION_SECRET, reply.ExtraData, store.data);
  return redirect(`/checkout?store=${encodeURIComponent(ticket)}`, 303);
}

// ---------------------------------------------------------------------------------------------
// 3. Back at checkout

export interface PickupReturn {
  /** What the shopper had typed before going to the map. */
  values: Record<string, string>;
  store: PickupStore | null;
  ticket: string | null;
  /** Why no store came back (shown above the form). */
  problem: string | null;
}

const PROBLEMS: Record<string, string> = {
  chain: "請先選擇要取貨的超商。",
  unavailable: "暫時無法開啟超商門市地圖，請稍後再試或改選宅配。",
  store: "門市資料有誤，請重新選擇門市。",
  mismatch: "這個門市不是從您的結帳頁面選擇的，請重新選擇門市。",
};

export async function pickupReturn(bff: BffContext, request: Request): Promise<PickupReturn | null> {
  const url = new URL(request.url);
  const ticket = url.searchParams.get("store");
  const problem = url.searchParams.get("pickup");
  if (ticket === null && problem === null) return null;
  const draft = await readPickupDraft(bff.env, request);
  const values = draft?.fields ?? {};
  if (ticket !== null) {
    const store = draft ? await readStoreTicket(bff.env.SESSION_SECRET, ticket, draft.token) : null;
    if (store) return { values, store, ticket, problem: null };
    return { values, store: null, ticket: null, problem: PROBLEMS.mismatch ?? null };
  }
  return { values, store: null, ticket: null, problem: PROBLEMS[problem ?? ""] ?? PROBLEMS.store ?? null };
}
