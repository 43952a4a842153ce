/**
 * Placing an order: price it from the catalog, then write it exactly once per idempotency key.
 *
 * Nothing is written until the request is known to be acceptable (site open, products on sale, expected total
 * matches), so a rejected request leaves no trace. The write itself is two conditional puts: the idempotency key
 * is claimed for an order id, then the order is put under that id. A crash between the two is healed by the
 * retry, which finds the claim and puts the order under the claimed id.
 */
import { createHash } from "node:crypto";
import type { CreateOrderRequest, Order } from "../contract";
import { newOrderId } from "../domain/order-id";
import { priceOrder } from "../domain/pricing";
import { newMerchantTradeNo } from "../ecpay";
import { envCode, lambdaEnv } from "../lib/config";
import { readCatalog, readSiteStatus } from "../lib/content";
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

  const priced = priceOrder(request.items, catalog);
  if (!priced.ok) {
    throw new ApiError(
      "product_unavailable",
      priced.reason === "unknown_product"
        ? `找不到商品：${priced.productIds.join(", ")}`
        : `商品已售完：${priced.productIds.join(", ")}`,
      { fields: Object.fromEntries(priced.productIds.map((id) => [`items.${id}`, "unavailable"])) },
    );
  }
  if (request.expectedTotal !== undefined && request.expectedTotal !== priced.total) {
    throw new ApiError("price_changed", "價格已更新，請確認新的總金額後再送出。", { currentTotal: priced.total });
  }

  let orderId = previous?.orderId ?? newOrderId(now);
  if (!previous && !(await claimIdempotencyKey(request.idempotencyKey, { orderId, bodyHash }, now))) {
    // A concurrent request with the same key claimed it first: follow its claim.
    const claimed = await getIdempotencyRecord(request.idempotencyKey);
    if (!claimed) throw new Error("idempotency record vanished");
    if (claimed.bodyHash !== bodyHash) throw mismatch();
    orderId = claimed.orderId;
  }

  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const order = buildOrder(orderId, request, priced, now);
    if (await putNewOrder(order, { idempotencyKey: request.idempotencyKey, bodyHash })) {
      addLogContext({ orderId });
      putMetric(METRIC.ordersCreated, 1, { PaymentMethod: order.paymentMethod });
      logger.info("order created", { outcome: "created", paymentMethod: order.paymentMethod, total: order.total });
      return { order, replayed: false };
    }

    const holder = await getOrder(orderId);
    if (holder?.idempotencyKey === request.idempotencyKey) {
      addLogContext({ orderId: holder.id, outcome: "replayed" });
      return { order: stripMeta(holder), replayed: true };
    }

    // Another order already has this id (five random digits per day collide now and then): move our claim.
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
  priced: { lines: Order["lines"]; total: number },
  now: Date,
): Order {
  const createdAt = now.toISOString();
  return {
    id,
    status: "created",
    createdAt,
    lines: priced.lines,
    total: priced.total,
    paymentMethod: request.paymentMethod,
    customer: request.customer,
    ...(request.note ? { note: request.note } : {}),
    ...(request.origin ? { origin: request.origin } : {}),
    ...(request.paymentMethod === "cod"
      ? {}
      : { payment: { merchantTradeNo: newMerchantTradeNo(envCode(lambdaEnv().ENV), id) } }),
    history: [{ at: createdAt, from: null, to: "created", by: "shopper" }],
  };
}

function stripMeta(order: Order & { idempotencyKey?: string; bodyHash?: string }): Order {
  const { idempotencyKey: _key, bodyHash: _hash, ...rest } = order;
  return rest;
}

function mismatch(): ApiError {
  return new ApiError(
    "idempotency_mismatch",
    "This idempotencyKey was already used for a different order; use a new key for a new order.",
  );
}
