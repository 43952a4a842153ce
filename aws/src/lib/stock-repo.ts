/**
 * Stock counts (docs/decisions/0017-fees-and-stock.md): one item per tracked product in the orders table,
 * `ordertype = stock#<productId>`, `idsk = 0`, holding
 *   - `stock`: units left to sell (absent: not tracked, the product never sells out by count);
 *   - `holds`: units taken by orders being placed right now, keyed by the order's idempotency key:
 *     `{ q: quantity, o: order id, t: when (epoch ms), a: the attempt that wrote it, h: the request's fingerprint }`.
 *     Taking units and recording who took them is one conditional write, so a retried request never takes twice.
 *     A hold lives only until its order is written (the order then records what it holds) — seconds — so the item
 *     stays small however many orders wait to be shipped;
 *   - `rel`: orders whose units were given back in the last hour, `{ <order id>: when }`: giving back is conditional
 *     on the order not being in it, so it happens once per order whoever asks and however often.
 * Every write is a single-item conditional UpdateItem (no transactions: dynalite has none, ADR 0001).
 *
 * An item with holds or recent returns is also in the outbox index (`outboxQueue`/`outboxDue`, ADR 0018) so the
 * outbox worker settles what a stopped request left behind and forgets returns once they are an hour old.
 */
import { BatchGetCommand, GetCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { dynamo } from "./clients";
import { lambdaEnv } from "./config";
import { isConditionFailure } from "./orders-repo";

/** How long a hold may go unexamined; also the grace after which a hold without an order is released. */
export const HOLD_CHECK_MS = 15 * 60 * 1000;
/** How long a return is remembered: longer than any Lambda run, so a stalled releaser cannot return twice. */
export const RETURN_MEMORY_MS = 60 * 60 * 1000;
export const OUTBOX_QUEUE = "pending";

export interface Hold {
  /** Units held. */
  q: number;
  /** The order id the hold was taken for (the claimed id; may change once on an id collision). */
  o: string;
  /** When the hold was taken or last confirmed by its order's request (epoch ms). */
  t: number;
  /** The attempt that last wrote the hold: compensation and orphan release only undo their own. */
  a: string;
  /** The fingerprint of the request (body) that took it: a different body under the same key never shares it. */
  h: string;
}

export interface StockItem {
  productId: string;
  stock: number | null;
  holds: Record<string, Hold>;
  /** Order id → when its units were given back (epoch ms). */
  rel: Record<string, number>;
}

const table = () => lambdaEnv().TABLE_NAME;
export const stockKey = (productId: string) => ({ ordertype: `stock#${productId}`, idsk: 0 });

function toStockItem(productId: string, item: Record<string, unknown> | undefined): StockItem {
  const stock = item?.stock;
  return {
    productId,
    stock: typeof stock === "number" ? stock : null,
    holds: (item?.holds as Record<string, Hold> | undefined) ?? {},
    rel: (item?.rel as Record<string, number> | undefined) ?? {},
  };
}

export async function getStockItem(productId: string): Promise<StockItem> {
  const result = await dynamo().send(new GetCommand({ TableName: table(), Key: stockKey(productId), ConsistentRead: true }));
  return toStockItem(productId, result.Item);
}

/** Counts of the given products (null = not tracked), read consistently, 100 keys per BatchGetItem. */
export async function readStockLevels(productIds: readonly string[]): Promise<Map<string, number | null>> {
  const levels = new Map<string, number | null>(productIds.map((id) => [id, null]));
  const unique = [...new Set(productIds)];
  for (let i = 0; i < unique.length; i += 100) {
    let keys: Record<string, unknown>[] = unique.slice(i, i + 100).map(stockKey);
    for (let round = 0; keys.length > 0; round++) {
      if (round > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 50 * 2 ** round)));
      if (round > 8) throw new Error("DynamoDB left stock keys unprocessed after 8 rounds");
      const result = await dynamo().send(
        new BatchGetCommand({
          RequestItems: {
            [table()]: { Keys: keys, ProjectionExpression: "ordertype, #stock", ExpressionAttributeNames: { "#stock": "stock" }, ConsistentRead: true },
          },
        }),
      );
      for (const item of result.Responses?.[table()] ?? []) {
        const productId = String(item.ordertype).slice("stock#".length);
        levels.set(productId, typeof item.stock === "number" ? item.stock : null);
      }
      keys = (result.UnprocessedKeys?.[table()]?.Keys as Record<string, unknown>[] | undefined) ?? [];
    }
  }
  return levels;
}

export type HoldOutcome =
  /** Units taken now for this order. */
  | { kind: "reserved" }
  /** This order already held them (a retry of the same request); the hold is confirmed as this attempt's. */
  | { kind: "already" }
  /** The product is not tracked: nothing to take. */
  | { kind: "untracked" }
  /** Not enough left: nothing was taken. */
  | { kind: "insufficient"; left: number }
  /** The key already holds units for a different request body: nothing was taken or changed. */
  | { kind: "mismatch" };

/**
 * Takes `quantity` units of a product for an order (its idempotency key), or confirms that the order already holds
 * them. A confirmed hold is re-stamped with this attempt, so a concurrent undo by another attempt (compensation, the
 * orphan sweep) no longer matches it and leaves it in place.
 */
export async function holdStock(
  productId: string,
  key: string,
  bodyHash: string,
  quantity: number,
  orderId: string,
  attempt: string,
  now = Date.now(),
): Promise<HoldOutcome> {
  const hold: Hold = { q: quantity, o: orderId, t: now, a: attempt, h: bodyHash };
  for (let round = 0; round < 5; round++) {
    try {
      await dynamo().send(
        new UpdateCommand({
          TableName: table(),
          Key: stockKey(productId),
          UpdateExpression:
            "SET #stock = #stock - :q, holds.#k = :hold, rel = if_not_exists(rel, :none), outboxQueue = :queue, " +
            "outboxDue = if_not_exists(outboxDue, :due)",
          ConditionExpression: "attribute_exists(#stock) AND #stock >= :q AND attribute_not_exists(holds.#k)",
          ExpressionAttributeNames: { "#stock": "stock", "#k": key },
          ExpressionAttributeValues: {
            ":q": quantity,
            ":hold": hold,
            ":none": {},
            ":queue": OUTBOX_QUEUE,
            ":due": now + HOLD_CHECK_MS,
          },
        }),
      );
      return { kind: "reserved" };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    // Most often a retry of this very request: confirm its hold straight away (one write), read only otherwise.
    if (await restampHold(productId, key, bodyHash, orderId, attempt, now)) return { kind: "already" };
    const current = await getStockItem(productId);
    const existing = current.holds[key];
    if (existing) {
      if (existing.h !== bodyHash) return { kind: "mismatch" };
      continue; // ours, but re-stamped or released between our writes: try again
    }
    if (current.stock === null) return { kind: "untracked" };
    if (current.stock < quantity) return { kind: "insufficient", left: current.stock };
    // Enough again (a release landed in between): try once more.
  }
  throw new Error(`stock of ${productId} kept changing while being reserved`);
}

async function restampHold(
  productId: string,
  key: string,
  bodyHash: string,
  orderId: string,
  attempt: string,
  now: number,
): Promise<boolean> {
  try {
    await dynamo().send(
      new UpdateCommand({
        TableName: table(),
        Key: stockKey(productId),
        UpdateExpression: "SET holds.#k.t = :t, holds.#k.a = :a, holds.#k.o = :o",
        ConditionExpression: "holds.#k.h = :h",
        ExpressionAttributeNames: { "#k": key },
        ExpressionAttributeValues: { ":t": now, ":a": attempt, ":o": orderId, ":h": bodyHash },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/**
 * Undoes a hold this attempt owns (compensation, or a request that stopped before writing its order): gives its units
 * back and forgets it, only while it is still that attempt's. Returns whether anything was given back. A product that
 * stopped being tracked meanwhile only loses the hold.
 */
export async function releaseHold(productId: string, key: string, attempt: string): Promise<boolean> {
  try {
    await dynamo().send(
      new UpdateCommand({
        TableName: table(),
        Key: stockKey(productId),
        UpdateExpression: "SET #stock = #stock + holds.#k.q REMOVE holds.#k",
        ConditionExpression: "attribute_exists(#stock) AND holds.#k.#a = :a",
        ExpressionAttributeNames: { "#stock": "stock", "#k": key, "#a": "a" },
        ExpressionAttributeValues: { ":a": attempt },
      }),
    );
    return true;
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
  await removeHold(productId, key, "holds.#k.#a = :v AND attribute_not_exists(#stock)", attempt);
  return false;
}

/**
 * Forgets a hold once its order is written (the order now records the units it holds): no units move. Only the
 * hold of this request body is forgotten.
 */
export async function forgetHold(productId: string, key: string, bodyHash: string): Promise<boolean> {
  return removeHold(productId, key, "holds.#k.h = :v", bodyHash);
}

/** Forgets a hold whose order exists, whatever wrote it (the outbox worker's clean-up): no units move. */
export async function forgetHoldOfWrittenOrder(productId: string, key: string): Promise<boolean> {
  return removeHold(productId, key, "attribute_exists(holds.#k)");
}

async function removeHold(productId: string, key: string, condition: string, value?: string): Promise<boolean> {
  try {
    await dynamo().send(
      new UpdateCommand({
        TableName: table(),
        Key: stockKey(productId),
        UpdateExpression: "REMOVE holds.#k",
        ConditionExpression: condition,
        ExpressionAttributeNames: {
          "#k": key,
          ...(condition.includes("#a") ? { "#a": "a" } : {}),
          ...(condition.includes("#stock") ? { "#stock": "stock" } : {}),
        },
        ...(value !== undefined ? { ExpressionAttributeValues: { ":v": value } } : {}),
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/**
 * Gives a cancelled order's units of one product back, once: the order's id goes into `rel` by the same write, and
 * the write is refused while it is there. Returns false when it was already given back, or the product is no longer
 * tracked (then there is no count to give back to).
 */
export async function returnUnits(productId: string, orderId: string, quantity: number, now = Date.now()): Promise<boolean> {
  try {
    await dynamo().send(
      new UpdateCommand({
        TableName: table(),
        Key: stockKey(productId),
        UpdateExpression: "SET #stock = #stock + :q, rel.#o = :now, outboxQueue = :queue, outboxDue = if_not_exists(outboxDue, :due)",
        ConditionExpression: "attribute_exists(#stock) AND attribute_exists(rel) AND attribute_not_exists(rel.#o)",
        ExpressionAttributeNames: { "#stock": "stock", "#o": orderId },
        ExpressionAttributeValues: { ":q": quantity, ":now": now, ":queue": OUTBOX_QUEUE, ":due": now + RETURN_MEMORY_MS },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/** Forgets returns older than RETURN_MEMORY_MS (no releaser can still be running for them). */
export async function forgetReturn(productId: string, orderId: string, at: number): Promise<void> {
  try {
    await dynamo().send(
      new UpdateCommand({
        TableName: table(),
        Key: stockKey(productId),
        UpdateExpression: "REMOVE rel.#o",
        ConditionExpression: "rel.#o = :at",
        ExpressionAttributeNames: { "#o": orderId },
        ExpressionAttributeValues: { ":at": at },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}

export type SetStockOutcome = { ok: true; stock: number | null } | { ok: false; current: number | null };

/**
 * The owner's edit: sets the count (null = stop tracking) only if it still is `expected`, so an edit made from an
 * old figure (another tab, or sales since the page was shown) is refused rather than silently undoing them.
 */
export async function setStock(productId: string, stock: number | null, expected: number | null, now = new Date()): Promise<SetStockOutcome> {
  const condition = expected === null ? "attribute_not_exists(#stock)" : "#stock = :expected";
  const update =
    stock === null
      ? "SET productId = :id, updatedAt = :at REMOVE #stock"
      : "SET #stock = :stock, productId = :id, updatedAt = :at, holds = if_not_exists(holds, :none), rel = if_not_exists(rel, :none)";
  const values: Record<string, unknown> = { ":id": productId, ":at": now.toISOString() };
  if (stock !== null) Object.assign(values, { ":stock": stock, ":none": {} });
  if (expected !== null) values[":expected"] = expected;
  try {
    await dynamo().send(
      new UpdateCommand({
        TableName: table(),
        Key: stockKey(productId),
        UpdateExpression: update,
        ConditionExpression: condition,
        ExpressionAttributeNames: { "#stock": "stock" },
        ExpressionAttributeValues: values,
      }),
    );
    return { ok: true, stock };
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    return { ok: false, current: (await getStockItem(productId)).stock };
  }
}

/**
 * After the outbox worker examined an item: look again at `nextDue`, or leave the outbox index when no hold and no
 * return is left (only if none was added meanwhile, which would need looking at).
 */
export async function rescheduleHoldCheck(productId: string, nextDue: number | null): Promise<void> {
  try {
    await dynamo().send(
      new UpdateCommand({
        TableName: table(),
        Key: stockKey(productId),
        ...(nextDue === null
          ? {
              UpdateExpression: "REMOVE outboxQueue, outboxDue",
              ConditionExpression:
                "(attribute_not_exists(holds) OR size(holds) = :zero) AND (attribute_not_exists(rel) OR size(rel) = :zero)",
              ExpressionAttributeValues: { ":zero": 0 },
            }
          : {
              UpdateExpression: "SET outboxQueue = :queue, outboxDue = :due",
              ConditionExpression: "attribute_exists(ordertype)",
              ExpressionAttributeValues: { ":queue": OUTBOX_QUEUE, ":due": nextDue },
            }),
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    // A hold arrived meanwhile (or the item is gone): it stays queued, and its own due time stands.
  }
}
