/**
 * What the integration tests need to talk to the local stack as the storefront, the owner and ECPay would.
 */
import { randomBytes, randomInt } from "node:crypto";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";
import { AwsClient } from "aws4fetch";
import { inject } from "vitest";
import { orderKeyFromId } from "../src/domain/order-id";
import { taipeiDate } from "../src/domain/taipei-time";
import type { CreateOrderRequest, Order, SiteStatus } from "../src/contract";
import { resetClients } from "../src/lib/clients";
import { resetConfigCache } from "../src/lib/config";
import { readMailbox, type StoredMail } from "../local/ses";
import { type MacAlgorithm, PAYMENT_MAC, checkMacValue, formatTaipeiDateTime } from "../src/ecpay";
import { ECPAY_STAGE_MERCHANT } from "../local/ecpay-sandbox/stage-merchant";
import { LOGISTICS_STAGE_MERCHANTS } from "../src/ecpay/logistics";
import { localS3Client } from "../local/s3-buckets";
import { DEV_PRINCIPALS } from "../local/stack";

export const stack = () => inject("stack");

function signer(principal: { accessKeyId: string; secretAccessKey: string }) {
  return new AwsClient({ ...principal, service: "execute-api", region: stack().region, retries: 0 });
}

export interface ApiAnswer<T = any> {
  status: number;
  body: T;
  text: string;
}

async function call(client: AwsClient | null, method: string, path: string, body?: unknown): Promise<ApiAnswer> {
  const init: RequestInit = { method };
  if (body !== undefined) {
    init.body = typeof body === "string" ? body : JSON.stringify(body);
    init.headers = {
      "content-type": typeof body === "string" ? "application/x-www-form-urlencoded" : "application/json",
    };
  }
  const url = `${stack().apiUrl}${path}`;
  const response = client ? await client.fetch(url, init) : await fetch(url, init);
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {}
  return { status: response.status, body: parsed, text };
}

export const storefront = {
  get: (path: string) => call(signer(DEV_PRINCIPALS.storefront), "GET", path),
  post: (path: string, body: unknown) => call(signer(DEV_PRINCIPALS.storefront), "POST", path, body),
};
export const admin = {
  get: (path: string) => call(signer(DEV_PRINCIPALS.admin), "GET", path),
  post: (path: string, body?: unknown) => call(signer(DEV_PRINCIPALS.admin), "POST", path, body ?? {}),
  put: (path: string, body: unknown) => call(signer(DEV_PRINCIPALS.admin), "PUT", path, body),
};
export const unsigned = {
  post: (path: string, body: unknown) => call(null, "POST", path, body),
  get: (path: string) => call(null, "GET", path),
};

export function idempotencyKey(): string {
  return randomBytes(16).toString("base64url");
}

/** A valid order for the seeded catalog, with a fresh phone number so tests do not see each other's orders. */
export function orderRequest(overrides: Partial<CreateOrderRequest> = {}): CreateOrderRequest {
  return {
    idempotencyKey: idempotencyKey(),
    items: [
      { productId: "dongding-oolong", quantity: 2 },
      { productId: "pineapple-cake", quantity: 1 },
    ],
    customer: {
      name: "王小明",
      phone: `09${String(randomBytes(4).readUInt32BE() % 100_000_000).padStart(8, "0")}`,
      email: "xiaoming@example.tw",
      address: "100 臺北市中正區重慶南路一段 122 號",
    },
    paymentMethod: "credit",
    ...overrides,
  };
}

/** A notification as ECPay's servers would send it, signed with the stage merchant's keys (SHA256 unless told). */
export function ecpayForm(
  fields: Record<string, string>,
  keys: { hashKey: string; hashIV: string } = ECPAY_STAGE_MERCHANT,
  algorithm: MacAlgorithm = PAYMENT_MAC,
): string {
  const signed = { ...fields, CheckMacValue: checkMacValue(fields, keys, algorithm) };
  return new URLSearchParams(signed).toString();
}

export function paidNotification(merchantTradeNo: string, amount: number, extra: Record<string, string> = {}) {
  return {
    MerchantID: ECPAY_STAGE_MERCHANT.merchantId,
    MerchantTradeNo: merchantTradeNo,
    StoreID: "",
    RtnCode: "1",
    RtnMsg: "交易成功",
    TradeNo: `2611${randomBytes(6).readUIntBE(0, 6) % 10 ** 12}`.slice(0, 20),
    TradeAmt: String(amount),
    PaymentDate: formatTaipeiDateTime(new Date()),
    PaymentType: "Credit_CreditCard",
    PaymentTypeChargeFee: String(Math.round(amount * 0.0275)),
    TradeDate: formatTaipeiDateTime(new Date()),
    SimulatePaid: "0",
    CustomField1: "",
    CustomField2: "",
    CustomField3: "",
    CustomField4: "",
    ...extra,
  };
}

export function dynamoClient(): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: stack().dynamodbEndpoint,
      region: stack().region,
      credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
    }),
  );
}

export function s3Client() {
  return localS3Client(stack().s3Endpoint);
}

/**
 * Stores a copy of `order` as the code before eight-digit ids stored orders: a five-digit id (`YYMMDD-NNNNN`, same
 * day) under its legacy key, and a 15-character MerchantTradeNo for a card or ATM order. Answers the copy.
 */
export async function storeAsLegacyOrder(
  client: DynamoDBDocumentClient,
  tableName: string,
  order: Order,
  phone: string,
): Promise<Order> {
  const pad = (n: number, width = 2) => String(n).padStart(width, "0");
  const { year, month, day } = taipeiDate(new Date(order.createdAt));
  for (;;) {
    const id = `${pad(year % 100)}${pad(month)}${pad(day)}-${pad(randomInt(100_000), 5)}`;
    const legacy: Order = {
      ...order,
      id,
      ...(order.payment ? { payment: { merchantTradeNo: `L${id.replace("-", "")}OLD` } } : {}),
    };
    const item = {
      ...legacy,
      ...orderKeyFromId(id)!,
      phone,
      idempotencyKey: idempotencyKey(),
      bodyHash: "legacy",
      updatedAt: legacy.createdAt,
    };
    try {
      await client.send(
        new PutCommand({ TableName: tableName, Item: item, ConditionExpression: "attribute_not_exists(idsk)" }),
      );
      return legacy;
    } catch (error) {
      if ((error as { name?: string }).name !== "ConditionalCheckFailedException") throw error;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Fees, stock, mail

/** Sets the fee settings in site.json (undefined: none) from its current revision; returns what was there. */
export async function setShipping(shipping: SiteStatus["shipping"]): Promise<SiteStatus["shipping"]> {
  const { revision, updatedAt: _at, shipping: before, ...site } = (await admin.get("/admin/site")).body;
  const res = await admin.put("/admin/site", { ...site, revision, shipping: shipping ?? {} });
  if (res.status !== 200) throw new Error(`setting fees: ${res.status} ${res.text}`);
  return before;
}

/** Changes some of the site settings (store pickup, e-invoices…); answers the settings as they were. */
export async function patchSite(patch: Partial<SiteStatus>): Promise<SiteStatus> {
  const { revision, updatedAt: _at, ...site } = (await admin.get("/admin/site")).body;
  const res = await admin.put("/admin/site", { ...site, ...patch, revision });
  if (res.status !== 200) throw new Error(`changing the site: ${res.status} ${res.text}`);
  return site;
}

/** Sets a product's stock count (null: not tracked) from whatever it is now. */
export async function setStock(productId: string, stock: number | null): Promise<void> {
  const current = await stockOf(productId);
  const res = await admin.put(`/admin/stock/${productId}`, { stock, expected: current });
  if (res.status !== 200) throw new Error(`setting stock: ${res.status} ${res.text}`);
}

export async function stockOf(productId: string): Promise<number | null> {
  const res = await admin.get("/admin/stock");
  const entry = (res.body.stock as { productId: string; stock: number | null }[]).find(
    (e) => e.productId === productId,
  );
  if (!entry) throw new Error(`no product ${productId}`);
  return entry.stock;
}

/** Every mail the SES stand-in holds for `to`. */
export async function mailTo(to: string): Promise<StoredMail[]> {
  return (await readMailbox(stack().sesUrl)).filter((mail) => mail.destination.to.includes(to));
}

/** Polls until `check` returns a value (not undefined) or the time is up. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 15_000, stepMs = 100): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, stepMs));
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A unique address per test, so mailbox counts are this test's alone. */
export function uniqueEmail(label: string): string {
  return `${label}-${randomBytes(5).toString("hex")}@example.tw`;
}

/**
 * Lets a test call the Lambda code directly (services, repositories) against the shared stack's stores, as a
 * function that stopped half-way would have left things.
 */
export function useStackEnvironment(): void {
  const s = stack();
  Object.assign(process.env, {
    ENV: "local",
    TABLE_NAME: s.tableName,
    BUCKET_NAME: s.bucketName,
    DYNAMODB_ENDPOINT: s.dynamodbEndpoint,
    S3_ENDPOINT: s.s3Endpoint,
    SES_ENDPOINT: s.sesUrl,
    AWS_REGION: s.region,
    AWS_ACCESS_KEY_ID: "S3RVER",
    AWS_SECRET_ACCESS_KEY: "S3RVER",
    ECPAY_GATEWAY_URL: s.ecpayUrl,
    STOREFRONT_URL: "http://127.0.0.1:8788",
    MAIL_FROM: "shop@example.tw",
    OWNER_EMAIL: "owner@example.tw",
  });
  resetConfigCache();
  resetClients();
}

/** Posts a file with the presigned POST the API handed out, as the BFF does: the fields, then the file last. */
export async function postToS3(
  upload: { url: string; fields: Record<string, string> },
  bytes: Uint8Array,
  filename = "photo.jpg",
): Promise<{ status: number; text: string }> {
  const form = new FormData();
  for (const [name, value] of Object.entries(upload.fields)) form.append(name, value);
  form.append("file", new Blob([bytes], { type: "application/octet-stream" }), filename);
  const response = await fetch(upload.url, { method: "POST", body: form });
  return { status: response.status, text: await response.text() };
}

/** Asks the API about an upload until it is no longer processing (the function runs on the upload, in the stack). */
export async function settledUpload(uploadId: string, timeoutMs = 60_000): Promise<ApiAnswer> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await admin.get(`/admin/uploads/${uploadId}`);
    if (answer.status !== 200 || answer.body.state !== "processing" || Date.now() > deadline) return answer;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * The fields of ECPay Logistics' status notification (ServerReplyURL, ADR 0027) for a shipped C2C 7-ELEVEN pickup
 * order, unsigned: the order's own logistics numbers, amount and receiver, with the status `code`, its message and
 * ECPay's time of it.
 */
export function logisticsNotificationFields(
  order: Order,
  status: { code: string; message: string; at: string },
): Record<string, string> {
  const l = order.logistics!;
  return {
    MerchantID: LOGISTICS_STAGE_MERCHANTS.C2C.merchantId,
    MerchantTradeNo: l.merchantTradeNo,
    RtnCode: status.code,
    RtnMsg: status.message,
    AllPayLogisticsID: l.allPayLogisticsId!,
    LogisticsType: "CVS",
    LogisticsSubType: "UNIMARTC2C",
    GoodsAmount: String(order.total),
    UpdateStatusDate: status.at,
    ReceiverName: order.customer.name,
    ReceiverPhone: "",
    ReceiverCellPhone: order.customer.phone,
    ReceiverEmail: "",
    ReceiverAddress: "",
    CVSPaymentNo: l.cvsPaymentNo ?? "",
    CVSValidationNo: l.cvsValidationNo ?? "",
    BookingNote: "",
  };
}
