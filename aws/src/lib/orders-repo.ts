/**
 * The orders table. Every write here is conditional: a new order only if its key is free, a status change only
 * from the status the caller saw, an idempotency record only once. DynamoDB transactions are deliberately not
 * used (dynalite, our local stand-in, lacks them, and none of these writes needs more than one item).
 */
import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type {
  Actor,
  HistoryEntry,
  InvoiceRecord,
  LogisticsRecord,
  Order,
  OrderStatus,
  PaymentMethod,
  PaymentRecord,
  Shipment,
} from "../contract";
import { orderSchema } from "../contract";
import {
  type OrderKey,
  daysInMonth,
  idskRangesForDays,
  monthPartition,
  monthsBetween,
  orderKeyFromId,
} from "../domain/order-id";
import { type MailEvent, type OutboxTask, mailsOnCreate, mailsOnTransition, tasksOnTransition } from "../domain/notifications";
import type { TaipeiDate } from "../domain/taipei-time";
import { dynamo } from "./clients";
import { lambdaEnv } from "./config";

const IDEMPOTENCY_TTL_SECONDS = 7 * 24 * 60 * 60;
const PHONE_INDEX = "lsi-phone";

export interface OrderMeta {
  idempotencyKey: string;
  bodyHash: string;
}

interface OrderItem extends Order, OrderMeta, OrderKey {
  phone: string;
  updatedAt: string;
}

function table(): string {
  return lambdaEnv().TABLE_NAME;
}

export function isConditionFailure(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error as { name?: string } | undefined)?.name === "ConditionalCheckFailedException"
  );
}

/** What an UpdateItem on one item sets, and the condition it is applied under (required: no write here is unconditional). */
interface ConditionalUpdate {
  UpdateExpression: string;
  ConditionExpression: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Record<string, unknown>;
}

/** A conditional write's result, or `otherwise` when its condition no longer held (any other failure is thrown). */
async function unlessConditionFails<T, F>(write: () => Promise<T>, otherwise: F): Promise<T | F> {
  try {
    return await write();
  } catch (error) {
    if (isConditionFailure(error)) return otherwise;
    throw error;
  }
}

/** Applies the update if its condition holds: true, or false when it no longer did. */
function updateIf(key: OrderKey, update: ConditionalUpdate): Promise<boolean> {
  return unlessConditionFails(async () => {
    await dynamo().send(new UpdateCommand({ TableName: table(), Key: key, ...update }));
    return true;
  }, false);
}

/**
 * Applies the update to an order if its condition holds: the order as callers may show it (parsing strips the keys
 * and the idempotency metadata: bodyHash…), or undefined when the condition no longer held.
 */
function updateOrderIf(key: OrderKey, update: ConditionalUpdate): Promise<Order | undefined> {
  return unlessConditionFails(async () => {
    const result = await dynamo().send(new UpdateCommand({ TableName: table(), Key: key, ...update, ReturnValues: "ALL_NEW" }));
    return result.Attributes ? orderSchema.parse(result.Attributes) : undefined;
  }, undefined);
}

/** The parts of an UpdateExpression that the clause builders below fill in. */
interface UpdateClauses {
  names: Record<string, string>;
  values: Record<string, unknown>;
  sets: string[];
  adds: string[];
}

function updateExpression({ sets, adds }: Pick<UpdateClauses, "sets" | "adds">): string {
  return `SET ${sets.join(", ")}${adds.length > 0 ? ` ADD ${adds.join(", ")}` : ""}`;
}

/**
 * `SET <map>.<field> = …` clause by clause (the payment record, the logistics order), so concurrent writers of
 * different fields (ATM account, trade number…) never overwrite each other's part of the map.
 */
function setMapFields(
  map: string,
  prefix: string,
  fields: Record<string, unknown>,
  expression: Omit<UpdateClauses, "adds">,
): void {
  const entries = Object.entries(fields).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return;
  expression.names[`#${prefix}`] = map;
  for (const [field, value] of entries) {
    expression.names[`#${prefix}_${field}`] = field;
    expression.values[`:${prefix}_${field}`] = value;
    expression.sets.push(`#${prefix}.#${prefix}_${field} = :${prefix}_${field}`);
  }
}

function toOrder(item: Record<string, unknown>): Order & Partial<OrderMeta> {
  // Parsing strips the storage-only attributes (keys, phone copy) and catches a corrupted item early.
  const order = orderSchema.parse(item);
  return {
    ...order,
    idempotencyKey: item.idempotencyKey as string | undefined,
    bodyHash: item.bodyHash as string | undefined,
  };
}

export async function getOrder(id: string): Promise<(Order & Partial<OrderMeta>) | undefined> {
  const key = orderKeyFromId(id);
  if (!key) return undefined;
  const result = await dynamo().send(new GetCommand({ TableName: table(), Key: key, ConsistentRead: true }));
  return result.Item ? toOrder(result.Item) : undefined;
}

// ---------------------------------------------------------------------------------------------
// The outbox (docs/decisions/0018-email-outbox.md): each email an event sends is an attribute `mail_<event>` of the
// order, written by the same conditional write as the event, and the order enters the sparse index `gsi-outbox`
// (`outboxQueue`, `outboxDue`) where the outbox worker finds it.

export const OUTBOX_INDEX = "gsi-outbox";
export const OUTBOX_QUEUE = "pending";

export type MailState = "pending" | "sending" | "sent" | "failed";

export interface MailRecord {
  state: MailState;
  attempts: number;
  /** Earliest time to (re)try, epoch ms. */
  due: number;
  /** While `sending`: the worker run that claimed it, and until when the claim holds. */
  claim?: string;
  until?: number;
  sentAt?: string;
  messageId?: string;
  lastError?: string;
}

export const mailAttribute = (event: MailEvent) => `mail_${event}`;

/**
 * Work for the outbox worker other than email (ADR 0027): issuing the order's e-invoice once it is paid, and voiding
 * it (or an allowance) once a paid order is cancelled. Queued like emails, by the same write as the event.
 */
export const taskAttribute = (task: OutboxTask) => `task_${task}`;

/** The clauses that queue these outbox records (emails, tasks) on an order, for an UpdateExpression's SET and ADD parts. */
function queueOutbox(
  attributes: readonly string[],
  nowMs: number,
  expression: UpdateClauses,
): void {
  if (attributes.length === 0) return;
  for (const attribute of attributes) {
    expression.names[`#q_${attribute}`] = attribute;
    expression.values[`:q_${attribute}`] = { state: "pending", attempts: 0, due: nowMs } satisfies MailRecord;
    // Never twice: a second event of the same kind keeps the first record.
    expression.sets.push(`#q_${attribute} = if_not_exists(#q_${attribute}, :q_${attribute})`);
  }
  expression.values[":outboxQueue"] = OUTBOX_QUEUE;
  expression.values[":outboxDue"] = nowMs;
  expression.values[":one"] = 1;
  expression.sets.push("outboxQueue = :outboxQueue", "outboxDue = :outboxDue");
  expression.adds.push("outboxRev :one");
}

/** The emails and tasks a status change queues. */
export function outboxOnTransition(from: OrderStatus, to: OrderStatus): string[] {
  return [...mailsOnTransition(from, to).map(mailAttribute), ...tasksOnTransition(from, to).map(taskAttribute)];
}

/**
 * Writes a new order if its id is still free. Returns false when another order already holds the id. `stockHeld` is
 * what the order took of each tracked product (ADR 0017): from now on the order, not a hold, owns those units.
 */
export async function putNewOrder(order: Order, meta: OrderMeta, stockHeld: Record<string, number> = {}): Promise<boolean> {
  const key = orderKeyFromId(order.id);
  if (!key) throw new Error(`malformed order id ${order.id}`);
  const nowMs = new Date(order.createdAt).getTime();
  const mails = Object.fromEntries(
    mailsOnCreate(order.paymentMethod).map((event) => [mailAttribute(event), { state: "pending", attempts: 0, due: nowMs } satisfies MailRecord]),
  );
  const queued = Object.keys(mails).length > 0 ? { outboxQueue: OUTBOX_QUEUE, outboxDue: nowMs, outboxRev: 1 } : {};
  const item: OrderItem & Record<string, unknown> = {
    ...order,
    ...meta,
    ...key,
    phone: order.customer.phone,
    updatedAt: order.createdAt,
    ...mails,
    ...queued,
    ...(Object.keys(stockHeld).length > 0 ? { stockHeld, stockState: "held" } : {}),
  };
  return unlessConditionFails(async () => {
    await dynamo().send(
      new PutCommand({ TableName: table(), Item: item, ConditionExpression: "attribute_not_exists(idsk)" }),
    );
    return true;
  }, false);
}

export interface StatusChange {
  from: OrderStatus;
  to: OrderStatus;
  by: Actor;
  note?: string;
  at?: Date;
  /** Payment details learnt together with the change (ECPay trade number, payment type…). */
  payment?: Partial<PaymentRecord>;
  /** Carrier and tracking number, with the change to shipped. */
  shipment?: Shipment;
  /**
   * Apply only if the order is still on this checkout attempt: the reconciler cancels an order it asked ECPay about,
   * not one whose shopper has just started paying again with a new MerchantTradeNo.
   */
  expectMerchantTradeNo?: string;
  /** Store pickup: the logistics order's fields learnt with the change (ECPay accepted it: shipped). */
  logistics?: Partial<LogisticsRecord>;
  /** Apply only while the order's logistics order is this one. */
  expectLogisticsTradeNo?: string;
}

/**
 * Applies a status change only if the order is still in `from`. Returns the updated order, or undefined when
 * the order had moved on (the caller re-reads and decides whether that is a duplicate or a conflict).
 *
 * The emails the change sends are queued by the same write (domain/notifications.ts), so every path that changes a
 * status — the owner, ECPay's callbacks, reconciling, expiry — sends them, exactly once per change.
 */
export async function changeStatus(id: string, change: StatusChange): Promise<Order | undefined> {
  const key = orderKeyFromId(id);
  if (!key) return undefined;
  const when = change.at ?? new Date();
  const at = when.toISOString();
  const entry: HistoryEntry = { at, from: change.from, to: change.to, by: change.by, ...(change.note ? { note: change.note } : {}) };
  const names: Record<string, string> = { "#status": "status" };
  const values: Record<string, unknown> = { ":from": change.from, ":to": change.to, ":entry": [entry], ":at": at };
  const sets = ["#status = :to", "history = list_append(history, :entry)", "updatedAt = :at"];
  const adds: string[] = [];
  setMapFields("payment", "p", change.payment ?? {}, { names, values, sets });
  if (change.shipment) {
    values[":shipment"] = change.shipment;
    sets.push("shipment = :shipment");
  }
  setMapFields("logistics", "l", change.logistics ?? {}, { names, values, sets });
  queueOutbox(outboxOnTransition(change.from, change.to), when.getTime(), { names, values, sets, adds });
  let condition = "#status = :from";
  if (change.expectLogisticsTradeNo !== undefined) {
    values[":expectedLogisticsNo"] = change.expectLogisticsTradeNo;
    condition += " AND logistics.merchantTradeNo = :expectedLogisticsNo";
  }
  if (change.expectMerchantTradeNo !== undefined) {
    values[":expectedNo"] = change.expectMerchantTradeNo;
    condition += " AND payment.merchantTradeNo = :expectedNo";
  }
  return updateOrderIf(key, {
    UpdateExpression: updateExpression({ sets, adds }),
    ConditionExpression: condition,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  });
}

/**
 * Records payment details that do not change the status (ATM account issued after ReturnURL already paid the
 * order, a simulated payment in production). `onlyIfAbsent` names a field that must not be set yet, which makes
 * repeated callbacks no-ops.
 */
export async function recordPayment(
  id: string,
  payment: Partial<PaymentRecord>,
  onlyIfAbsent: keyof PaymentRecord,
): Promise<boolean> {
  const key = orderKeyFromId(id);
  if (!key) return false;
  const names: Record<string, string> = { "#guard": onlyIfAbsent };
  const values: Record<string, unknown> = { ":at": new Date().toISOString() };
  const sets = ["updatedAt = :at"];
  setMapFields("payment", "p", payment, { names, values, sets });
  return updateIf(key, {
    UpdateExpression: updateExpression({ sets, adds: [] }),
    ConditionExpression: "attribute_exists(payment) AND attribute_not_exists(payment.#guard)",
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  });
}

/**
 * Starts a new checkout attempt: the current MerchantTradeNo moves to `attempts` and `next` takes its place, only
 * if the order is still `created`, still on `current`, has no ATM account issued and is under the attempt limit.
 * Returns the updated order, or undefined when any of that no longer holds (the caller re-reads).
 */
export async function replaceMerchantTradeNo(
  id: string,
  current: string,
  next: string,
  maxAttempts: number,
  at = new Date(),
): Promise<Order | undefined> {
  const key = orderKeyFromId(id);
  if (!key) return undefined;
  return updateOrderIf(key, {
    UpdateExpression:
      "SET payment.merchantTradeNo = :next, payment.issuedAt = :at, updatedAt = :at, " +
      "payment.attempts = list_append(if_not_exists(payment.attempts, :none), :current)",
    ConditionExpression:
      "#status = :created AND payment.merchantTradeNo = :currentNo AND attribute_not_exists(payment.atm) " +
      "AND (attribute_not_exists(payment.attempts) OR size(payment.attempts) < :earlier)",
    ExpressionAttributeNames: { "#status": "status" },
    ExpressionAttributeValues: {
      ":next": next,
      ":at": at.toISOString(),
      ":none": [],
      ":current": [current],
      ":currentNo": current,
      ":created": "created",
      ":earlier": maxAttempts - 1,
    },
  });
}

// ---------------------------------------------------------------------------------------------
// The units an order holds (ADR 0017): `stockHeld` (product id → units) and `stockState`: held → releasing →
// released once the order is cancelled and its units are given back.

export type StockState = "held" | "releasing" | "released";

export interface OrderStock {
  status: OrderStatus;
  held: Record<string, number>;
  state: StockState | undefined;
}

export async function readOrderStock(id: string): Promise<OrderStock | undefined> {
  const key = orderKeyFromId(id);
  if (!key) return undefined;
  const result = await dynamo().send(
    new GetCommand({
      TableName: table(),
      Key: key,
      ConsistentRead: true,
      ProjectionExpression: "#status, stockHeld, stockState",
      ExpressionAttributeNames: { "#status": "status" },
    }),
  );
  if (!result.Item) return undefined;
  return {
    status: result.Item.status as OrderStatus,
    held: (result.Item.stockHeld as Record<string, number> | undefined) ?? {},
    state: result.Item.stockState as StockState | undefined,
  };
}

/** A cancelled order's units start going back: held → releasing (already releasing is fine: another caller started). */
export async function markStockReleasing(id: string): Promise<boolean> {
  return setStockState(id, "releasing", "#status = :cancelled AND stockState IN (:held, :releasing)");
}

export async function markStockReleased(id: string): Promise<boolean> {
  return setStockState(id, "released", "stockState = :releasing");
}

async function setStockState(id: string, to: StockState, condition: string): Promise<boolean> {
  const key = orderKeyFromId(id);
  if (!key) return false;
  return updateIf(key, {
    UpdateExpression: "SET stockState = :to",
    ConditionExpression: condition,
    ...(condition.includes("#status") ? { ExpressionAttributeNames: { "#status": "status" } } : {}),
    ExpressionAttributeValues: {
      ":to": to,
      ...(condition.includes(":cancelled") ? { ":cancelled": "cancelled" } : {}),
      ...(condition.includes(":held") ? { ":held": "held" } : {}),
      ":releasing": "releasing",
    },
  });
}

// ---------------------------------------------------------------------------------------------
// Idempotency records: `ordertype = idem#<key>`, `idsk = 0`.

export interface IdempotencyRecord {
  orderId: string;
  bodyHash: string;
}

function idempotencyKey(key: string): OrderKey {
  return { ordertype: `idem#${key}`, idsk: 0 };
}

export async function getIdempotencyRecord(key: string): Promise<IdempotencyRecord | undefined> {
  const result = await dynamo().send(
    new GetCommand({ TableName: table(), Key: idempotencyKey(key), ConsistentRead: true }),
  );
  if (!result.Item) return undefined;
  return { orderId: String(result.Item.orderId), bodyHash: String(result.Item.bodyHash) };
}

/** Claims the key for this order id. False if somebody claimed it first. */
export async function claimIdempotencyKey(key: string, record: IdempotencyRecord, now = new Date()): Promise<boolean> {
  return unlessConditionFails(async () => {
    await dynamo().send(
      new PutCommand({
        TableName: table(),
        Item: {
          ...idempotencyKey(key),
          ...record,
          createdAt: now.toISOString(),
          expiresAt: Math.floor(now.getTime() / 1000) + IDEMPOTENCY_TTL_SECONDS,
        },
        ConditionExpression: "attribute_not_exists(ordertype)",
      }),
    );
    return true;
  }, false);
}

/** Moves a claimed key to a new order id after an id collision; false if another request moved it first. */
export async function moveIdempotencyKey(key: string, fromOrderId: string, toOrderId: string): Promise<boolean> {
  return updateIf(idempotencyKey(key), {
    UpdateExpression: "SET orderId = :to",
    ConditionExpression: "orderId = :from",
    ExpressionAttributeValues: { ":from": fromOrderId, ":to": toOrderId },
  });
}

// ---------------------------------------------------------------------------------------------
// For the scheduled reconciler

/**
 * Card and ATM orders still waiting for their money (created or awaiting_payment) placed on the Taipei days
 * `from..to`, newest month first, at most `max` of them. One query per month partition and idsk range (current ids,
 * then legacy ones; a page at a time, filtered server-side), so a pass reads a bounded number of pages whatever the
 * table holds.
 */
export async function listOpenEcpayOrders(
  from: TaipeiDate,
  to: TaipeiDate,
  max: number,
): Promise<{ orders: (Order & { reconciledAt?: string })[]; truncated: boolean }> {
  const orders: (Order & { reconciledAt?: string })[] = [];
  for (const { year, month } of monthsBetween(from, to)) {
    const firstDay = year === from.year && month === from.month ? from.day : 1;
    const lastDay = year === to.year && month === to.month ? to.day : daysInMonth(year, month);
    for (const [low, high] of idskRangesForDays(firstDay, lastDay)) {
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await dynamo().send(
          new QueryCommand({
            TableName: table(),
            KeyConditionExpression: "ordertype = :p AND idsk BETWEEN :low AND :high",
            FilterExpression: "#status IN (:created, :awaiting) AND paymentMethod IN (:credit, :atm)",
            ExpressionAttributeNames: { "#status": "status" },
            ExpressionAttributeValues: {
              ":p": monthPartition(year, month),
              ":low": low,
              ":high": high,
              ":created": "created",
              ":awaiting": "awaiting_payment",
              ":credit": "credit",
              ":atm": "atm",
            },
            ScanIndexForward: false,
            ...(startKey ? { ExclusiveStartKey: startKey } : {}),
          }),
        );
        for (const item of page.Items ?? []) {
          if (orders.length >= max) return { orders, truncated: true };
          const reconciledAt = typeof item.reconciledAt === "string" ? item.reconciledAt : undefined;
          orders.push({ ...orderSchema.parse(item), ...(reconciledAt ? { reconciledAt } : {}) });
        }
        startKey = page.LastEvaluatedKey;
      } while (startKey);
    }
  }
  return { orders, truncated: false };
}

/**
 * Notes when the reconciler last had ECPay's answer about every attempt of the order, so the next pass asks about
 * the others first (a pass's ECPay budget then rotates through all open orders). Touches nothing else; an order that
 * no longer exists is ignored.
 */
export async function markReconciled(id: string, at: Date): Promise<void> {
  const key = orderKeyFromId(id);
  if (!key) return;
  await updateIf(key, {
    UpdateExpression: "SET reconciledAt = :at",
    ConditionExpression: "attribute_exists(idsk)",
    ExpressionAttributeValues: { ":at": at.toISOString() },
  });
}

/**
 * Notes that the reconciler told the owner about this payment (`flag`: the reason and ECPay's trade number), so later
 * passes, which keep asking ECPay about the order, do not tell them again at every pass (one alarm, not one every ten
 * minutes). True when this call set the flag; false when it was already set (or the order no longer exists).
 */
export async function markFlagged(id: string, flag: string): Promise<boolean> {
  const key = orderKeyFromId(id);
  if (!key) return false;
  return updateIf(key, {
    UpdateExpression: "SET reconcilerFlag = :flag",
    ConditionExpression: "attribute_exists(idsk) AND (attribute_not_exists(reconcilerFlag) OR reconcilerFlag <> :flag)",
    ExpressionAttributeValues: { ":flag": flag },
  });
}

/** The reconciler's own state (one item, `ordertype = ops#reconciler`): ECPay asked it to stop asking until then. */
const RECONCILER_STATE_KEY: OrderKey = { ordertype: "ops#reconciler", idsk: 0 };

export async function getReconcilerBackoff(): Promise<{ until: string; reason: string } | undefined> {
  const result = await dynamo().send(
    new GetCommand({ TableName: table(), Key: RECONCILER_STATE_KEY, ConsistentRead: true }),
  );
  const item = result.Item;
  return item && typeof item.backoffUntil === "string"
    ? { until: item.backoffUntil, reason: String(item.reason ?? "") }
    : undefined;
}

export async function setReconcilerBackoff(until: Date, reason: string, now = new Date()): Promise<void> {
  await dynamo().send(
    new PutCommand({
      TableName: table(),
      Item: { ...RECONCILER_STATE_KEY, backoffUntil: until.toISOString(), reason, updatedAt: now.toISOString() },
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// Listing for the owner

export interface ListFilter {
  from: TaipeiDate;
  to: TaipeiDate;
  status?: OrderStatus;
  phone?: string;
  paymentMethod?: PaymentMethod;
  limit: number;
  cursor?: string;
}

interface Cursor {
  /** Index into the list of (month, idsk range) segments, newest first. */
  m: number;
  /** DynamoDB's LastEvaluatedKey within that month. */
  k?: Record<string, unknown>;
}

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString("base64url");
}

export function decodeCursor(raw: string | undefined): Cursor | null {
  if (!raw) return { m: 0 };
  try {
    const parsed = JSON.parse(Buffer.from(raw, "base64url").toString("utf8")) as Cursor;
    if (!Number.isSafeInteger(parsed.m) || parsed.m < 0 || (parsed.k !== undefined && !isStartKey(parsed.k)))
      return null;
    return parsed;
  } catch {
    return null;
  }
}

/** The shape of a LastEvaluatedKey of this table or its phone index; anything else DynamoDB refuses (a 500, not a 400). */
function isStartKey(k: unknown): k is Record<string, string | number> {
  if (typeof k !== "object" || k === null || Array.isArray(k)) return false;
  const key = k as Record<string, unknown>;
  return (
    typeof key.ordertype === "string" &&
    Number.isSafeInteger(key.idsk) &&
    (key.phone === undefined || typeof key.phone === "string") &&
    Object.keys(key).every((name) => name === "ordertype" || name === "idsk" || name === "phone")
  );
}

/** A start key from a client's cursor must be one this very query could have returned. */
function startKeyFits(k: Record<string, unknown>, partition: string, range: [number, number], phone?: string): boolean {
  if (k.ordertype !== partition) return false;
  if (phone) return k.phone === phone;
  return k.phone === undefined && (k.idsk as number) >= range[0] && (k.idsk as number) <= range[1];
}

/**
 * Newest first across month partitions. With a phone number the query uses the `lsi-phone` index of each month;
 * otherwise it reads the month's idsk ranges (current ids, then legacy ones) for the requested days. Status and
 * payment method filter server-side.
 */
export async function listOrders(filter: ListFilter): Promise<{ orders: Order[]; nextCursor: string | null } | null> {
  const cursor = decodeCursor(filter.cursor);
  if (!cursor) return null;
  // Each month holds current ids and, before the switch to eight digits, legacy ones: one segment per idsk range.
  const segments = monthsBetween(filter.from, filter.to).flatMap(({ year, month }) => {
    const firstDay = year === filter.from.year && month === filter.from.month ? filter.from.day : 1;
    const lastDay = year === filter.to.year && month === filter.to.month ? filter.to.day : daysInMonth(year, month);
    return idskRangesForDays(firstDay, lastDay).map((range) => ({ year, month, range }));
  });
  const orders: Order[] = [];
  let segment = cursor.m;
  let startKey = cursor.k;
  const clientStartKey = cursor.k;

  while (segment < segments.length && orders.length < filter.limit) {
    const { year, month, range } = segments[segment]!;
    const [low, high] = range;
    const fits = startKeyFits(startKey ?? {}, monthPartition(year, month), [low, high], filter.phone);
    if (startKey && startKey === clientStartKey && !fits) return null;

    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ":p": monthPartition(year, month), ":low": low, ":high": high };
    const filters: string[] = [];
    let keyCondition = "ordertype = :p AND idsk BETWEEN :low AND :high";
    if (filter.phone) {
      keyCondition = "ordertype = :p AND phone = :phone";
      values[":phone"] = filter.phone;
      filters.push("idsk BETWEEN :low AND :high");
    }
    if (filter.status) {
      names["#status"] = "status";
      values[":status"] = filter.status;
      filters.push("#status = :status");
    }
    if (filter.paymentMethod) {
      values[":method"] = filter.paymentMethod;
      filters.push("paymentMethod = :method");
    }

    const page = await dynamo().send(
      new QueryCommand({
        TableName: table(),
        ...(filter.phone ? { IndexName: PHONE_INDEX } : {}),
        KeyConditionExpression: keyCondition,
        ...(filters.length > 0 ? { FilterExpression: filters.join(" AND ") } : {}),
        ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
        ExpressionAttributeValues: values,
        ScanIndexForward: false,
        // Asking for no more than we still need keeps LastEvaluatedKey an exact resume point.
        Limit: filter.limit - orders.length,
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    orders.push(...(page.Items ?? []).map((item) => orderSchema.parse(item)));
    if (page.LastEvaluatedKey) {
      startKey = page.LastEvaluatedKey;
    } else {
      segment += 1;
      startKey = undefined;
    }
  }

  // The phone index orders by phone, not time, so sort what this page holds.
  if (filter.phone) orders.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  const more = segment < segments.length;
  return { orders, nextCursor: more ? encodeCursor({ m: segment, ...(startKey ? { k: startKey } : {}) }) : null };
}

// ---------------------------------------------------------------------------------------------
// Store pickup (ADR 0027): the logistics order and its status notifications, and the e-invoice's record

/**
 * Claims the creation of this store-pickup order's logistics order: only while the order is still `status`, and it
 * has none, or the last one was refused, or a request was left unanswered before `staleBefore` (a crash mid-call;
 * its number is then abandoned and a new one used). One caller wins; a double click or a second tab gets undefined.
 */
export async function requestShipment(id: string, status: OrderStatus, record: LogisticsRecord, staleBefore: string): Promise<Order | undefined> {
  const key = orderKeyFromId(id);
  if (!key) return undefined;
  return updateOrderIf(key, {
    UpdateExpression: "SET logistics = :record, updatedAt = :at",
    ConditionExpression:
      "#status = :status AND (attribute_not_exists(logistics) OR logistics.#state = :failed OR (logistics.#state = :requested AND logistics.requestedAt < :stale))",
    ExpressionAttributeNames: { "#status": "status", "#state": "state" },
    ExpressionAttributeValues: {
      ":record": record,
      ":at": record.requestedAt,
      ":status": status,
      ":failed": "failed",
      ":requested": "requested",
      ":stale": staleBefore,
    },
  });
}

/** ECPay refused the logistics order (`0|reason`): kept for the owner, who may try again. */
export async function failShipment(id: string, merchantTradeNo: string, message: string): Promise<boolean> {
  const key = orderKeyFromId(id);
  if (!key) return false;
  return updateIf(key, {
    UpdateExpression: "SET logistics.#state = :failed, logistics.#error = :error, updatedAt = :at",
    ConditionExpression: "logistics.merchantTradeNo = :no AND logistics.#state = :requested",
    ExpressionAttributeNames: { "#state": "state", "#error": "error" },
    ExpressionAttributeValues: { ":failed": "failed", ":requested": "requested", ":no": merchantTradeNo, ":error": message.slice(0, 300), ":at": new Date().toISOString() },
  });
}

export interface LogisticsEventWrite {
  /** The notification's dedupe key: each is applied once, however often ECPay sends it. */
  eventKey: string;
  event: { code: string; message: string; at: string };
  /** The logistics order this notification is about (the one the order has). */
  merchantTradeNo: string;
  /** Apply only while the parcel is at this stage (a forward move), or anywhere (only recorded) when absent. */
  expectStage?: string | null;
  logistics: Partial<LogisticsRecord>;
  /** A status change that comes with it (picked up and paid, returned and cancelled). */
  change?: { from: OrderStatus; to: OrderStatus; note: string };
  /** Emails that are not a status change (arrived at the store). */
  mails?: readonly MailEvent[];
  now: Date;
}

/**
 * Applies one status notification as one conditional write: records it (once, by its key), moves the parcel's stage
 * forward, changes the order's status and queues what that sends. False when the write's conditions no longer hold:
 * the notification was applied already, or the order moved meanwhile (the caller re-reads and decides).
 */
export async function applyLogisticsEvent(id: string, w: LogisticsEventWrite): Promise<boolean> {
  const key = orderKeyFromId(id);
  if (!key) return false;
  const at = w.now.toISOString();
  const names: Record<string, string> = { "#events": "events" };
  const values: Record<string, unknown> = {
    ":key": w.eventKey,
    ":keys": new Set([w.eventKey]),
    ":event": [w.event],
    ":empty": [],
    ":at": at,
    ":no": w.merchantTradeNo,
  };
  const sets = ["logistics.#events = list_append(if_not_exists(logistics.#events, :empty), :event)", "updatedAt = :at"];
  const adds = ["logisticsSeen :keys"];
  setMapFields("logistics", "l", w.logistics, { names, values, sets });
  let condition = "logistics.merchantTradeNo = :no AND NOT contains(logisticsSeen, :key)";
  if (w.expectStage !== undefined) {
    names["#stage"] = "stage";
    if (w.expectStage === null) condition += " AND attribute_not_exists(logistics.#stage)";
    else {
      values[":stage"] = w.expectStage;
      condition += " AND logistics.#stage = :stage";
    }
  }
  const queued: string[] = (w.mails ?? []).map(mailAttribute);
  if (w.change) {
    const entry: HistoryEntry = { at, from: w.change.from, to: w.change.to, by: "ecpay", note: w.change.note };
    names["#status"] = "status";
    values[":from"] = w.change.from;
    values[":to"] = w.change.to;
    values[":entry"] = [entry];
    sets.push("#status = :to", "history = list_append(history, :entry)");
    condition += " AND #status = :from";
    queued.push(...outboxOnTransition(w.change.from, w.change.to));
  }
  queueOutbox(queued, w.now.getTime(), { names, values, sets, adds });
  return updateIf(key, {
    UpdateExpression: updateExpression({ sets, adds }),
    ConditionExpression: condition,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  });
}

/** Whether this notification was applied to the order already. */
export async function seenLogisticsEvent(id: string, eventKey: string): Promise<boolean> {
  const key = orderKeyFromId(id);
  if (!key) return false;
  const item = (await dynamo().send(new GetCommand({ TableName: table(), Key: key, ConsistentRead: true, ProjectionExpression: "logisticsSeen" }))).Item;
  const seen = item?.logisticsSeen as Set<string> | undefined;
  return !!seen?.has(eventKey);
}

/** Writes the e-invoice's record (the outbox worker's, under its claim of the task). */
export async function recordInvoice(id: string, invoice: InvoiceRecord): Promise<void> {
  const key = orderKeyFromId(id);
  if (!key) return;
  await dynamo().send(
    new UpdateCommand({
      TableName: table(),
      Key: key,
      UpdateExpression: "SET invoice = :invoice, updatedAt = :at",
      ExpressionAttributeValues: { ":invoice": invoice, ":at": new Date().toISOString() },
    }),
  );
}
