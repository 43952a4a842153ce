/**
 * Stock that never oversells (docs/decisions/0017-fees-and-stock.md): an order takes its units when it is placed,
 * line by line, each a conditional write that fails rather than go below zero; if any line cannot be had, the lines
 * already taken are given back before the 409. The written order records what it holds; a cancelled order gives it
 * back once, a shipped one keeps it. Holds are keyed by the idempotency key, so retries and replays take nothing twice.
 */
import { randomUUID } from "node:crypto";
import type { OrderLine, StockLevels } from "../contract";
import { readCatalog } from "../lib/content";
import { ApiError } from "../lib/http";
import { logger } from "../lib/logger";
import { METRIC, putMetric } from "../lib/metrics";
import { getIdempotencyRecord, getOrder, markStockReleased, markStockReleasing, readOrderStock } from "../lib/orders-repo";
import {
  forgetHold,
  forgetHoldOfWrittenOrder,
  forgetReturn,
  getStockItem,
  HOLD_CHECK_MS,
  holdStock,
  type HoldOutcome,
  readStockLevels,
  releaseHold,
  rescheduleHoldCheck,
  RETURN_MEMORY_MS,
  returnUnits,
  setStock,
} from "../lib/stock-repo";

/** A fresh token per attempt at placing an order: its compensation only undoes what it holds itself. */
export const newAttempt = () => randomUUID();

/** What an attempt holds of each line: taken by it (`reserved`), confirmed from an earlier attempt (`already`), or nothing. */
export type Reservation = Map<string, { quantity: number; kind: HoldOutcome["kind"] }>;

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
  /** Products whose count was read as tracked; the others cost no write (a count set this very instant is not held). */
  tracked?: ReadonlySet<string>,
): Promise<Reservation> {
  const outcomes = await Promise.allSettled(
    lines.map((line) =>
      tracked && !tracked.has(line.productId)
        ? Promise.resolve<HoldOutcome>({ kind: "untracked" })
        : holdStock(line.productId, key, bodyHash, line.quantity, orderId, attempt),
    ),
  );
  const short: { line: OrderLine; left: number }[] = [];
  let failure: unknown;
  outcomes.forEach((outcome, i) => {
    if (outcome.status === "rejected") failure ??= outcome.reason;
    else if (outcome.value.kind === "insufficient") short.push({ line: lines[i]!, left: outcome.value.left });
    else if (outcome.value.kind === "mismatch") failure ??= idempotencyMismatch();
  });
  if (short.length === 0 && failure === undefined) {
    return new Map(
      lines.map((line, i) => [line.productId, { quantity: line.quantity, kind: (outcomes[i] as PromiseFulfilledResult<HoldOutcome>).value.kind }]),
    );
  }
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
  return new ApiError("sold_out", short.map(({ line, left }) => shortMessage(line.name, left)).join("；"), {
    fields: Object.fromEntries(short.map(({ line, left }) => [`items.${line.productId}`, left === 0 ? "已售完" : `只剩 ${left} 件`])),
    remaining: Object.fromEntries(short.map(({ line, left }) => [line.productId, left])),
  });
}

function shortMessage(name: string, left: number): string {
  return left === 0 ? `「${name}」已售完` : `「${name}」庫存不足，只剩 ${left} 件`;
}

/** Units of each product the written order holds (what it must give back if cancelled). */
export function heldUnits(reservation: Reservation): Record<string, number> {
  return Object.fromEntries(
    [...reservation].filter(([, r]) => r.kind === "reserved" || r.kind === "already").map(([id, r]) => [id, r.quantity]),
  );
}

/** The order is written and records its units: the holds are no longer needed (the worker forgets any left over). */
export async function forgetHolds(reservation: Reservation, key: string, bodyHash: string): Promise<void> {
  await Promise.all(
    [...reservation]
      .filter(([, r]) => r.kind === "reserved" || r.kind === "already")
      .map(([productId]) => forgetHold(productId, key, bodyHash).catch((error) => logger.warn("hold not forgotten", { productId, error }))),
  );
}

/**
 * Another request with the same key wrote the order while this one was taking units: what this attempt took afresh
 * (after that order's own holds were forgotten) belongs to no order and goes back now.
 */
export async function returnFreshHolds(reservation: Reservation, key: string, attempt: string): Promise<void> {
  await Promise.all(
    [...reservation].filter(([, r]) => r.kind === "reserved").map(([productId]) => releaseHold(productId, key, attempt)),
  );
}

/**
 * A cancelled order gives its units back, exactly once however many paths ask at once (owner, expiry, reconciler,
 * the outbox worker): the order goes held → releasing → released, and each product's return is conditional on the
 * order not being among that product's recent returns. Anything else than a cancelled order is left alone.
 */
export async function settleStockForOrder(id: string): Promise<void> {
  const stock = await readOrderStock(id);
  if (!stock || stock.status !== "cancelled" || !stock.state || stock.state === "released") return;
  if (!(await markStockReleasing(id))) return;
  const returned = await Promise.all(Object.entries(stock.held).map(([productId, q]) => returnUnits(productId, id, q)));
  await markStockReleased(id);
  const products = Object.keys(stock.held).filter((_, i) => returned[i]);
  if (products.length > 0) logger.info("stock returned", { orderId: id, products });
}

/**
 * The outbox worker's look at one product. Holds live only while their order is being placed: one whose order was
 * written is forgotten (the order holds the units); one for which no order was written HOLD_CHECK_MS after it was
 * taken (the request stopped and was not retried) gives its units back — only if that attempt still owns it, so a
 * retry that confirmed the hold meanwhile keeps it. Returns older than RETURN_MEMORY_MS are forgotten.
 */
export async function checkHolds(productId: string, now = Date.now()): Promise<{ released: number; forgotten: number; kept: number }> {
  const item = await getStockItem(productId);
  const tally = { released: 0, forgotten: 0, kept: 0 };
  let nextDue: number | null = null;
  const later = (due: number) => {
    nextDue = nextDue === null ? due : Math.min(nextDue, due);
  };
  for (const [key, hold] of Object.entries(item.holds)) {
    if (await orderOfHoldExists(key, hold.o)) {
      if (await forgetHoldOfWrittenOrder(productId, key)) tally.forgotten += 1;
    } else if (now - hold.t >= HOLD_CHECK_MS) {
      if (await releaseHold(productId, key, hold.a)) {
        tally.released += 1;
        putMetric(METRIC.orphanedStockReleased, hold.q);
        logger.warn("stock held for an order that was never written: given back", { productId, orderId: hold.o, quantity: hold.q });
      }
    } else {
      tally.kept += 1;
      later(hold.t + HOLD_CHECK_MS);
    }
  }
  for (const [orderId, at] of Object.entries(item.rel)) {
    if (now - at >= RETURN_MEMORY_MS) await forgetReturn(productId, orderId, at);
    else later(at + RETURN_MEMORY_MS);
  }
  await rescheduleHoldCheck(productId, nextDue);
  return tally;
}

/** Whether the order a hold was taken for exists: at its id as recorded, or wherever its key's claim moved. */
async function orderOfHoldExists(key: string, orderId: string): Promise<boolean> {
  const direct = await getOrder(orderId);
  if (direct?.idempotencyKey === key) return true;
  const claim = await getIdempotencyRecord(key);
  if (!claim || claim.orderId === orderId) return false;
  return (await getOrder(claim.orderId))?.idempotencyKey === key;
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
