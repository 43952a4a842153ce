/**
 * Placing an order: price it from the catalog and the fee settings, take its stock, then write it exactly once per
 * idempotency key.
 *
 * Nothing is written until the request is known to be acceptable (site open, products on sale, expected total
 * matches), so a rejected request leaves no trace. Then: each line's units are held under the idempotency key (one
 * conditional update per product, given back if any line is short: 409, nothing left behind), the key is claimed for
 * an order id (a conditional put), and the order is put under the id. A crash in between is healed by the retry,
 * which finds the holds and the claim and finishes the order without taking anything twice; without a retry, the
 * outbox worker gives the held units back (services/stock.ts).
 */
import { createHash } from "node:crypto";
import type { CreateOrderRequest, Order, SiteStatus } from "../contract";
import { newOrderId } from "../domain/order-id";
import { chainsFor, cvsAmountProblem } from "../domain/pickup";
import { priceOrder } from "../domain/pricing";
import { newMerchantTradeNo } from "../ecpay";
import { envCode, lambdaEnv } from "../lib/config";
import { readCatalog, readSiteStatus } from "../lib/content";
import { readStockLevels } from "../lib/stock-repo";
import {
  forgetHolds,
  heldUnits,
  idempotencyMismatch,
  newAttempt,
  releaseStock,
  reserveStock,
  returnFreshHolds,
} from "./stock";
import { ApiError } from "../lib/http";
import { addLogContext, logger } from "../lib/logger";
import { METRIC, putMetric } from "../lib/metrics";
import {
  claimIdempotencyKey,
  getIdempotencyRecord,
  getOrder,
  moveIdempotencyKey,
  putNewOrder,
} from "../lib/orders-repo";

const MAX_ATTEMPTS = 8;

/** A stable fingerprint of what was asked for, so a retry can be told apart from a different order. */
export function requestFingerprint(request: CreateOrderRequest): string {
  const { idempotencyKey: _key, ...rest } = request;
  const canonical = JSON.stringify(rest, (_k, value) =>
    value && typeof value === "object" && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)))
      : value,
  );
  return createHash("sha256").update(canonical).digest("hex");
}

export async function createOrder(request: CreateOrderRequest, now = new Date()): Promise<{ order: Order; replayed: boolean }> {
  const bodyHash = requestFingerprint(request);

  // Everything an order needs is read side by side (one round trip instead of three). A replay does not use the
  // catalog and site status, so it must not fail with them either (S3 down while a shopper retries).
  const content = Promise.all([readSiteStatus(), readCatalog()]);
  content.catch(() => {});
  // Which products are counted: only those cost a conditional write below.
  const levels = readStockLevels(request.items.map((i) => i.productId));
  levels.catch(() => {});
  const previous = await getIdempotencyRecord(request.idempotencyKey);
  if (previous && previous.bodyHash !== bodyHash) throw mismatch();
  if (previous) {
    const existing = await getOrder(previous.orderId);
    // Only an order written for this key is ours: a claim can point for a moment at an id another order took
    // (the loop below then moves the claim), and answering with that order would show a stranger's data.
    if (existing?.idempotencyKey === request.idempotencyKey) {
      addLogContext({ orderId: existing.id, outcome: "replayed" });
      return { order: stripMeta(existing), replayed: true };
    }
  }
  const [site, catalog] = await content;

  if (!site.open) throw new ApiError("site_closed", site.closedMessage || "本店暫停營業，暫不接受訂單。");

  const priced = priceOrder(request.items, catalog, {
    paymentMethod: request.paymentMethod,
    deliveryMethod: request.deliveryMethod ?? "home",
    ...(site.shipping ? { shipping: site.shipping } : {}),
  });
  if (!priced.ok) {
    throw new ApiError(
      "product_unavailable",
      priced.reason === "unknown_product"
        ? `找不到商品：${priced.productIds.join(", ")}`
        : `商品已售完：${priced.productIds.join(", ")}`,
      { fields: Object.fromEntries(priced.productIds.map((id) => [`items.${id}`, "unavailable"])) },
    );
  }
  checkDelivery(request, site, priced.total);
  if (request.expectedTotal !== undefined && request.expectedTotal !== priced.total) {
    throw new ApiError("price_changed", "價格或運費已更新，請確認新的總金額後再送出。", { currentTotal: priced.total });
  }

  // Units first, then the key: an order refused for stock leaves nothing behind (the holds are given back), and a
  // retry of a request that got further finds its holds (re-stamped, never taken twice) and its claim.
  let orderId = previous?.orderId ?? newOrderId(now);
  const attemptToken = newAttempt();
  let reservation: Awaited<ReturnType<typeof reserveStock>>;
  try {
    const tracked = new Set([...(await levels)].filter(([, n]) => n !== null).map(([id]) => id));
    reservation = await reserveStock(priced.lines, request.idempotencyKey, bodyHash, orderId, attemptToken, tracked);
  } catch (error) {
    // A copy of this request racing us may have written the order (and let go of its holds) since we looked: then
    // the answer is that order, not "sold out".
    const written = error instanceof ApiError ? await writtenFor(request.idempotencyKey, bodyHash) : undefined;
    if (written) return { order: written, replayed: true };
    throw error;
  }
  let heldFor = orderId;
  try {
    if (!previous && !(await claimIdempotencyKey(request.idempotencyKey, { orderId, bodyHash }, now))) {
      // A concurrent request with the same key claimed it first: follow its claim.
      const claimed = await getIdempotencyRecord(request.idempotencyKey);
      if (!claimed) throw new Error("idempotency record vanished");
      if (claimed.bodyHash !== bodyHash) throw mismatch();
      orderId = claimed.orderId;
    }
  } catch (error) {
    if (error instanceof ApiError) await releaseStock(priced.lines, request.idempotencyKey, attemptToken);
    throw error;
  }

  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    if (orderId !== heldFor) {
      // The holds name the order they are for; re-stamp them for the id the claim now names.
      const held = new Set(Object.keys(heldUnits(reservation)));
      reservation = await reserveStock(priced.lines, request.idempotencyKey, bodyHash, orderId, attemptToken, held);
      heldFor = orderId;
    }
    const order = buildOrder(orderId, request, priced, now, site);
    if (await putNewOrder(order, { idempotencyKey: request.idempotencyKey, bodyHash }, heldUnits(reservation))) {
      await forgetHolds(reservation, request.idempotencyKey, bodyHash);
      addLogContext({ orderId });
      putMetric(METRIC.ordersCreated, 1, { PaymentMethod: order.paymentMethod });
      logger.info("order created", { outcome: "created", paymentMethod: order.paymentMethod, total: order.total });
      return { order, replayed: false };
    }

    const holder = await getOrder(orderId);
    if (holder?.idempotencyKey === request.idempotencyKey) {
      // A concurrent request with this key wrote it: what this one took afresh is nobody's.
      await returnFreshHolds(reservation, request.idempotencyKey, attemptToken);
      addLogContext({ orderId: holder.id, outcome: "replayed" });
      return { order: stripMeta(holder), replayed: true };
    }

    // Another order already has this id (eight random digits a day collide very rarely, but they can): move our claim.
    const nextId = newOrderId(now);
    if (!(await moveIdempotencyKey(request.idempotencyKey, orderId, nextId))) {
      const claimed = await getIdempotencyRecord(request.idempotencyKey);
      if (!claimed) throw new Error("idempotency record vanished");
      orderId = claimed.orderId;
    } else {
      orderId = nextId;
    }
  }
  throw new Error(`could not find a free order id after ${MAX_ATTEMPTS} attempts`);
}

function buildOrder(
  id: string,
  request: CreateOrderRequest,
  priced: { lines: Order["lines"]; subtotal: number; fees: Order["fees"]; total: number },
  now: Date,
  site: SiteStatus,
): Order {
  const createdAt = now.toISOString();
  return {
    id,
    status: "created",
    createdAt,
    lines: priced.lines,
    subtotal: priced.subtotal,
    fees: priced.fees ?? [],
    total: priced.total,
    paymentMethod: request.paymentMethod,
    deliveryMethod: request.deliveryMethod ?? "home",
    customer: request.customer,
    ...(request.deliveryMethod === "cvs" && request.pickupStore ? { pickupStore: request.pickupStore } : {}),
    // The shop asks ECPay for an e-invoice once the order is paid (ADR 0027); the member carrier by default.
    ...(site.einvoice ? { invoiceRequest: request.invoice ?? { carrier: "member" } } : {}),
    ...(request.note ? { note: request.note } : {}),
    ...(request.origin ? { origin: request.origin } : {}),
    ...(request.paymentMethod === "cod"
      ? {}
      : { payment: { merchantTradeNo: newMerchantTradeNo(envCode(lambdaEnv().ENV), id) } }),
    history: [{ at: createdAt, from: null, to: "created", by: "shopper" }],
  };
}

/**
 * Store pickup is offered only when the owner set it up, for the chains the shop's ECPay logistics account carries,
 * and for totals ECPay carries (NT$1–20,000, which is also what it collects on pay on pickup). The store itself came
 * from the map through the shopper's browser: its shape was checked by the schema, and ECPay re-checks the id when
 * the shipment is created; it never changes a price.
 */
function checkDelivery(request: CreateOrderRequest, site: SiteStatus, total: number): void {
  if (request.deliveryMethod !== "cvs") return;
  if (!site.pickup) {
    throw new ApiError("bad_request", "本店目前沒有提供超商取貨，請改選宅配。", { fields: { deliveryMethod: "超商取貨目前不提供" } });
  }
  const store = request.pickupStore;
  if (store && !chainsFor(site.pickup.account).includes(store.chain)) {
    throw new ApiError("bad_request", "這家超商目前不提供取貨，請重新選擇門市。", { fields: { pickupStore: "這家超商目前不提供取貨" } });
  }
  const problem = cvsAmountProblem(total);
  if (problem) throw new ApiError("bad_request", problem, { fields: { deliveryMethod: problem } });
}

/** The order already written for this key and body, if any. */
async function writtenFor(key: string, bodyHash: string): Promise<Order | undefined> {
  const claim = await getIdempotencyRecord(key);
  if (!claim || claim.bodyHash !== bodyHash) return undefined;
  const existing = await getOrder(claim.orderId);
  return existing?.idempotencyKey === key ? stripMeta(existing) : undefined;
}

function stripMeta(order: Order & { idempotencyKey?: string; bodyHash?: string }): Order {
  const { idempotencyKey: _key, bodyHash: _hash, ...rest } = order;
  return rest;
}

const mismatch = idempotencyMismatch;
