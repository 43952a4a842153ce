/**
 * Page-level BFF functions for the cart page and the add-to-cart forms.
 */
import { data, redirect } from "@remix-run/cloudflare";
import type { BffContext } from "../../worker/bff-context";
import {
  applyCartChange,
  cartChangeSchema,
  cartCookieHeader,
  cartItemCount,
  type PricedCart,
  priceCart,
  readCart,
  withoutDropped,
} from "../../worker/cart.server";
import { getCatalog } from "../../worker/content.server";
import { readForm } from "../../worker/form-body";
import { isCrossSitePost } from "../../worker/request-guard.server";
import { orUnavailable } from "./storefront.server";

export interface CartPageData {
  cart: PricedCart;
  /** The name of the product just added (the no-JavaScript add-to-cart lands here). */
  added: string | null;
}

export async function loadCartPage(bff: BffContext, request: Request) {
  const [cart, catalog] = await Promise.all([readCart(bff.env, request), orUnavailable(getCatalog(bff))]);
  const priced = priceCart(cart, catalog);
  const addedId = new URL(request.url).searchParams.get("added");
  const added = catalog.products.find((p) => p.id === addedId)?.name ?? null;
  const page: CartPageData = { cart: priced, added };
  // Products the owner removed from the catalog leave the cookie too.
  if (priced.dropped === 0) return page;
  return data(page, { headers: { "Set-Cookie": await cartCookieHeader(bff.env, withoutDropped(cart, catalog)) } });
}

export interface CartActionData {
  ok: boolean;
  message: string;
  /** Items in the cart afterwards, for the "added" confirmation. */
  cartCount?: number;
}

/**
 * One cart change (add / set / remove). With JavaScript the forms are fetchers that ask for `respond=data` and
 * stay on the page; without it the browser gets a redirect (post/redirect/get) to the cart.
 */
export async function updateCart(bff: BffContext, request: Request) {
  if (isCrossSitePost(request, bff.env))
    throw data({ ok: false, message: "請從本站頁面操作購物車。" }, { status: 403 });
  const form = Object.fromEntries(await readForm(request));
  const wantsData = form.respond === "data";
  const change = cartChangeSchema.safeParse(form);
  if (!change.success) {
    const message = change.error.issues[0]?.message ?? "無法更新購物車。";
    return data<CartActionData>({ ok: false, message }, { status: 400 });
  }
  const [cart, catalog] = await Promise.all([readCart(bff.env, request), orUnavailable(getCatalog(bff))]);
  const result = applyCartChange(cart, change.data, catalog);
  if (!result.ok) return data<CartActionData>({ ok: false, message: result.message }, { status: 409 });

  const headers = { "Set-Cookie": await cartCookieHeader(bff.env, result.cart) };
  if (wantsData) {
    return data<CartActionData>(
      { ok: true, message: result.message, cartCount: cartItemCount(result.cart) },
      { headers },
    );
  }
  const to = change.data.intent === "add" ? `/cart?added=${encodeURIComponent(change.data.productId)}` : "/cart";
  return redirect(to, { status: 303, headers });
}
