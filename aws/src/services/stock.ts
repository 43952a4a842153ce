/**
 * Stock that never oversells (docs/decisions/0013-fees-and-stock.md): an order takes its units when it is placed,
 * line by line, each a conditional write that fails rather than go below zero; if any line cannot be had, the lines
 * already taken are given back before the 409. A cancelled order gives its units back once, a shipped one keeps them.
 * Every hold is keyed by the order's idempotency key, so retries and replays take nothing twice.
 */
import { randomUUID } from "node:crypto";
import type { Order, OrderLine, StockLevels } from "../contract";
import { readCatalog } from "../lib/content";
import { ApiError } from "../lib/http";
import { logger } from "../lib/logger";
import { getIdempotencyRecord, getOrder } from "../lib/orders-repo";
import {
  getStockItem,
  HOLD_CHECK_MS,
  holdStock,
  readStockLevels,
  releaseHold,
  rescheduleHoldCheck,
  setStock,
  settleHold,
} from "../lib/stock-repo";

const LIVE_HOLD_CHECK_MS = 60 * 60 * 1000;

/** A fresh token per attempt at placing an order: its compensation only undoes what it holds itself. */
export const newAttempt = () => randomUUID();

/**
 * Takes the order's units, or throws a 409 naming every product that is short and what is left (having given back
 * whatever this attempt took). Calling it again for the same key re-confirms the holds instead of taking more.
 */
export async function reserveStock(
  lines: readonly OrderLine[],
  key: string,
  bodyHash: string,
  orderId: string,
  attempt: string,
): Promise<void> {
  const outcomes = await Promise.allSettled(
    lines.map((line) => holdStock(line.productId, key, bodyHash, line.quantity, orderId, attempt)),
  );
  const short: { line: OrderLine; left: number }[] = [];
  let failure: unknown;
  outcomes.forEach((outcome, i) => {
    if (outcome.status === "rejected") failure ??= outcome.reason;
    else if (outcome.value.kind === "insufficient") short.push({ line: lines[i]!, left: outcome.value.left });
    else if (outcome.value.kind === "mismatch") failure ??= idempotencyMismatch();
  });
  if (short.length === 0 && failure === undefined) return;
  await releaseStock(lines, key, attempt);
  if (failure !== undefined) throw failure;
  throw shortError(short);
}

/**
 * Gives back what this attempt holds (taken by it, or confirmed by it from an earlier attempt of the same request),
 * when the order is not going to be written after all.
 */
export async function releaseStock(lines: readonly OrderLine[], key: string, attempt: string): Promise<void> {
  await Promise.all(lines.map((line) => releaseHold(line.productId, key, attempt)));
}

export function idempotencyMismatch(): ApiError {
  return new ApiError(
    "idempotency_mismatch",
    "This idempotencyKey was already used for a different order; use a new key for a new order.",
  );
}

function shortError(short: { line: OrderLine; left: number }[]): ApiError {
  return new ApiError("conflict", short.map(({ line, left }) => shortMessage(line.name, left)).join("；"), {
    fields: Object.fromEntries(short.map(({ line, left }) => [`items.${line.productId}`, left === 0 ? "已售完" : `只剩 ${left} 件`])),
    remaining: Object.fromEntries(short.map(({ line, left }) => [line.productId, left])),
  });
}

function shortMessage(name: string, left: number): string {
  return left === 0 ? `「${name}」已售完` : `「${name}」庫存不足，只剩 ${left} 件`;
}

/**
 * What a status change means for the order's units: cancelled gives them back, shipped makes them sold. Safe to call
 * any number of times and from any path (each hold is released or settled once); the outbox worker calls it too,
 * for changes whose caller stopped before getting here.
 */
export async function settleStockFor(order: Pick<Order, "id" | "status" | "lines"> & { idempotencyKey?: string | undefined }): Promise<void> {
  const key = order.idempotencyKey;
  if (!key) return;
  if (order.status === "cancelled") {
    const released = await Promise.all(order.lines.map((line) => releaseHold(line.productId, key)));
    if (released.some(Boolean)) logger.info("stock released", { orderId: order.id, products: order.lines.filter((_, i) => released[i]).map((l) => l.productId) });
  } else if (order.status === "shipped") {
    await Promise.all(order.lines.map((line) => settleHold(line.productId, key)));
  }
}

/** Re-reads the order (with its idempotency key) and settles its stock as its status says. */
export async function settleStockForOrder(id: string): Promise<void> {
  const order = await getOrder(id);
  if (order) await settleStockFor(order);
}

/**
 * The outbox worker's look at one product's holds. A hold lives while its order may still be cancelled; it is
 * released when the order was cancelled (by a path that stopped before releasing), settled when it shipped, and
 * released when no order was ever written for it HOLD_CHECK_MS after it was taken (the request stopped between taking
 * units and writing the order, and was not retried) — only if that attempt still owns it, so a retry that confirmed
 * the hold meanwhile keeps it.
 */
export async function checkHolds(productId: string, now = Date.now()): Promise<{ released: number; settled: number; kept: number }> {
  const item = await getStockItem(productId);
  const tally = { released: 0, settled: 0, kept: 0 };
  let nextDue: number | null = null;
  for (const [key, hold] of Object.entries(item.holds)) {
    const order = await orderOfHold(key, hold.o);
    if (order?.status === "cancelled") {
      if (await releaseHold(productId, key)) tally.released += 1;
    } else if (order?.status === "shipped") {
      if (await settleHold(productId, key)) tally.settled += 1;
    } else if (!order && now - hold.t >= HOLD_CHECK_MS) {
      if (await releaseHold(productId, key, hold.a)) {
        tally.released += 1;
        logger.warn("stock held by an order that was never written: released", { productId, orderId: hold.o, quantity: hold.q });
      }
    } else {
      tally.kept += 1;
      // A live order's hold only needs the safety net (a cancel whose caller stopped before releasing): hourly.
      const due = order ? now + LIVE_HOLD_CHECK_MS : hold.t + HOLD_CHECK_MS;
      nextDue = nextDue === null ? due : Math.min(nextDue, due);
    }
  }
  await rescheduleHoldCheck(productId, nextDue);
  return tally;
}

/** The order a hold was taken for: its id as recorded, or wherever its idempotency key's claim moved. */
async function orderOfHold(key: string, orderId: string) {
  const direct = await getOrder(orderId);
  if (direct?.idempotencyKey === key) return direct;
  const claim = await getIdempotencyRecord(key);
  if (!claim || claim.orderId === orderId) return undefined;
  const moved = await getOrder(claim.orderId);
  return moved?.idempotencyKey === key ? moved : undefined;
}

// ---------------------------------------------------------------------------------------------
// Reading and setting counts

/** Counts of the catalog's tracked products, for the storefront (untracked products are left out). */
export async function publicStockLevels(): Promise<StockLevels> {
  const catalog = await readCatalog();
  const levels = await readStockLevels(catalog.products.map((p) => p.id));
  return Object.fromEntries([...levels].filter((entry): entry is [string, number] => entry[1] !== null));
}

/** Every catalog product's count, null where not tracked, for the owner. */
export async function ownerStockLevels(): Promise<{ productId: string; stock: number | null }[]> {
  const catalog = await readCatalog();
  const levels = await readStockLevels(catalog.products.map((p) => p.id));
  return catalog.products.map((p) => ({ productId: p.id, stock: levels.get(p.id) ?? null }));
}

export async function setStockByOwner(productId: string, stock: number | null, expected: number | null) {
  const catalog = await readCatalog();
  if (!catalog.products.some((p) => p.id === productId)) {
    throw new ApiError("not_found", `No product ${productId} in the catalog`);
  }
  const outcome = await setStock(productId, stock, expected);
  if (!outcome.ok) {
    throw new ApiError(
      "conflict",
      `庫存已變動（目前為 ${outcome.current ?? "不追蹤"}），請重新整理後再調整。`,
      { currentStock: outcome.current },
    );
  }
  return { productId, stock: outcome.stock };
}
