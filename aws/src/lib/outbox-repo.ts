/**
 * The outbox worker's side of the outbox (docs/decisions/0018-email-outbox.md): finding what is due in the sparse
 * index `gsi-outbox`, and claiming, finishing and rescheduling an order's emails, each a conditional update of the
 * order item. Orders queue their emails in lib/orders-repo.ts; stock items queue their hold checks in
 * lib/stock-repo.ts.
 */
import { GetCommand, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { OrderKey } from "../domain/order-id";
import { dynamo } from "./clients";
import { lambdaEnv } from "./config";
import { isConditionFailure, type MailRecord, OUTBOX_INDEX, OUTBOX_QUEUE } from "./orders-repo";

const table = () => lambdaEnv().TABLE_NAME;

/** Keys of items due by `now`, oldest first, a page at a time (the index is eventually consistent: a late item waits a run). */
export async function dueItems(now: number, limit: number, startKey?: Record<string, unknown>) {
  const page = await dynamo().send(
    new QueryCommand({
      TableName: table(),
      IndexName: OUTBOX_INDEX,
      KeyConditionExpression: "outboxQueue = :queue AND outboxDue <= :now",
      ExpressionAttributeValues: { ":queue": OUTBOX_QUEUE, ":now": now },
      Limit: limit,
      ...(startKey ? { ExclusiveStartKey: startKey } : {}),
    }),
  );
  return {
    keys: (page.Items ?? []).map((item) => ({ ordertype: String(item.ordertype), idsk: Number(item.idsk) }) as OrderKey),
    next: page.LastEvaluatedKey,
  };
}

export async function readItem(key: OrderKey): Promise<Record<string, unknown> | undefined> {
  return (await dynamo().send(new GetCommand({ TableName: table(), Key: key, ConsistentRead: true }))).Item;
}

/** `attribute`: an email's (`mail_<event>`) or a task's (`task_<task>`) record on the order; both have the same shape. */
const names = (attribute: string) => ({ "#m": attribute, "#state": "state", "#until": "until", "#claim": "claim" });

/**
 * Takes an email for sending: only if it is pending and due, or its previous claim ran out (a worker that died
 * mid-send). One worker wins; the attempt is counted now, so a crash cannot retry for ever.
 */
export async function claimMail(key: OrderKey, attribute: string, token: string, now: number, leaseMs: number): Promise<boolean> {
  try {
    await dynamo().send(
      new UpdateCommand({
        TableName: table(),
        Key: key,
        UpdateExpression: "SET #m.#state = :sending, #m.#claim = :token, #m.#until = :until, #m.attempts = #m.attempts + :one",
        ConditionExpression: "(#m.#state = :pending AND #m.due <= :now) OR (#m.#state = :sending AND #m.#until < :now)",
        ExpressionAttributeNames: names(attribute),
        ExpressionAttributeValues: { ":sending": "sending", ":pending": "pending", ":token": token, ":until": now + leaseMs, ":now": now, ":one": 1 },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

export type MailOutcome =
  | { state: "sent"; sentAt: string; messageId: string }
  | { state: "pending"; due: number; lastError: string }
  | { state: "failed"; lastError: string };

/** Records how the send went, only while this worker's claim still holds. */
export async function finishMail(key: OrderKey, attribute: string, token: string, outcome: MailOutcome): Promise<boolean> {
  const values: Record<string, unknown> = { ":token": token, ":state": outcome.state };
  const sets = ["#m.#state = :state"];
  for (const [field, value] of Object.entries(outcome)) {
    if (field === "state") continue;
    values[`:${field}`] = value;
    sets.push(`#m.${field} = :${field}`);
  }
  try {
    await dynamo().send(
      new UpdateCommand({
        TableName: table(),
        Key: key,
        UpdateExpression: `SET ${sets.join(", ")} REMOVE #m.#claim, #m.#until`,
        ConditionExpression: "#m.#claim = :token",
        ExpressionAttributeNames: names(attribute),
        ExpressionAttributeValues: values,
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/**
 * Puts the order back in the index for its next due email, or takes it out when nothing is left to send — only if no
 * event queued another email since the worker read it (`outboxRev` moves with every event that queues one).
 */
export async function rescheduleOrder(key: OrderKey, rev: number | undefined, nextDue: number | null): Promise<boolean> {
  const condition = rev === undefined ? "attribute_not_exists(outboxRev)" : "outboxRev = :rev";
  const values = {
    ...(rev === undefined ? {} : { ":rev": rev }),
    ...(nextDue === null ? {} : { ":queue": OUTBOX_QUEUE, ":due": nextDue }),
  };
  try {
    await dynamo().send(
      new UpdateCommand({
        TableName: table(),
        Key: key,
        UpdateExpression: nextDue === null ? "REMOVE outboxQueue, outboxDue" : "SET outboxQueue = :queue, outboxDue = :due",
        ConditionExpression: condition,
        ...(Object.keys(values).length > 0 ? { ExpressionAttributeValues: values } : {}),
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

export type { MailRecord };
