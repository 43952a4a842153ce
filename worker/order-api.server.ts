/**
 * Typed calls to the order API, signed as the storefront principal. Every function returns an ApiResult
 * instead of throwing, so a page can always show the shopper something sensible: the contract's error
 * codes, HTTP statuses, timeouts and network failures all end up as one of a few `kind`s.
 */
import type { z } from "zod";
import {
  type CreateOrderRequest,
  type CreateOrderResponse,
  createOrderRequestSchema,
  createOrderResponseSchema,
  type ErrorCode,
  errorResponseSchema,
  type GetOrderResponse,
  getOrderQuerySchema,
  getOrderResponseSchema,
  pingResponseSchema,
  ROUTES,
  retryPaymentRequestSchema,
  retryPaymentResponseSchema,
} from "../aws/src/contract";
import { type ApiRequest, type ApiTransportDeps, fieldErrorsOf, sendApiRequest } from "./api-transport.server";
import { READ_RETRIES, WRITE_RETRIES } from "./aws.server";

export type ApiFailureKind = "validation" | "not_found" | "conflict" | "price_changed" | "site_closed" | "unavailable";

export interface ApiFailure {
  ok: false;
  kind: ApiFailureKind;
  /** Traditional Chinese, fit to show the shopper as is. */
  message: string;
  /** Field-level problems keyed by dotted path (e.g. `customer.phone`), for forms. */
  fields?: Record<string, string>;
  /** With price_changed: the total the catalog gives now. */
  currentTotal?: number;
  /** The API's error code when it sent one; pages tell e.g. a sold-out product from a reused key. */
  code?: ErrorCode;
}

export type ApiResult<T> = { ok: true; data: T } | ApiFailure;

export type Ping = z.infer<typeof pingResponseSchema>;

type ApiDeps = ApiTransportDeps;

/** Liveness of the API and of our signing; used by /healthz. */
export function ping(deps: ApiDeps): Promise<ApiResult<Ping>> {
  return call(deps, { route: ROUTES.ping, responseSchema: pingResponseSchema, retries: READ_RETRIES });
}

/**
 * Places an order. Not retried here: the idempotency key makes a repeat safe, so the caller decides
 * (a retry with the same key returns the same order).
 */
export function createOrder(deps: ApiDeps, request: CreateOrderRequest): Promise<ApiResult<CreateOrderResponse>> {
  const parsed = createOrderRequestSchema.safeParse(request);
  if (!parsed.success) return Promise.resolve(validationFailure(parsed.error));
  return call(deps, {
    route: ROUTES.createOrder,
    body: parsed.data,
    responseSchema: createOrderResponseSchema,
    retries: WRITE_RETRIES,
  });
}

/** Looks an order up the way a shopper can: by its id and the phone number it was placed with. */
export function getOrder(deps: ApiDeps, id: string, phone: string): Promise<ApiResult<GetOrderResponse>> {
  const parsed = getOrderQuerySchema.safeParse({ id, phone });
  if (!parsed.success) return Promise.resolve(validationFailure(parsed.error));
  return call(deps, {
    route: ROUTES.getOrder,
    query: parsed.data,
    responseSchema: getOrderResponseSchema,
    retries: READ_RETRIES,
  });
}

/**
 * Starts a new ECPay checkout attempt for an unpaid order (pay again). Not retried here (each call may issue a
 * new MerchantTradeNo); the shopper can press the button again.
 */
export function retryPayment(deps: ApiDeps, id: string, phone: string): Promise<ApiResult<CreateOrderResponse>> {
  const parsed = retryPaymentRequestSchema.safeParse({ id, phone });
  if (!parsed.success) return Promise.resolve(validationFailure(parsed.error));
  return call(deps, {
    route: ROUTES.retryPayment,
    body: parsed.data,
    responseSchema: retryPaymentResponseSchema,
    retries: WRITE_RETRIES,
  });
}

// ---------------------------------------------------------------------------------------------

const MESSAGES: Record<ApiFailureKind, string> = {
  validation: "資料有誤，請檢查標示的欄位後再送出。",
  not_found: "查無資料，請確認訂單編號與手機號碼。",
  conflict: "資料已有變動，請重新整理頁面後再試一次。",
  price_changed: "商品價格已更新，請確認新的金額後再送出。",
  site_closed: "商店目前暫停營業，請稍後再來。",
  unavailable: "訂單系統暫時無法使用，請稍後再試。",
};
const TIMEOUT_MESSAGE = "訂單系統回應逾時，請稍後再試。";

const KIND_BY_CODE: Record<ErrorCode, ApiFailureKind> = {
  bad_request: "validation",
  payload_too_large: "validation",
  unsupported_media_type: "validation",
  not_found: "not_found",
  conflict: "conflict",
  idempotency_mismatch: "conflict",
  invalid_transition: "conflict",
  product_unavailable: "conflict",
  price_changed: "price_changed",
  site_closed: "site_closed",
  upstream_error: "unavailable",
  internal_error: "unavailable",
};

async function call<T>(deps: ApiDeps, request: ApiRequest<T>): Promise<ApiResult<T>> {
  const result = await sendApiRequest(
    deps,
    {
      accessKeyId: deps.env.STOREFRONT_ACCESS_KEY_ID,
      secretAccessKey: deps.env.STOREFRONT_SECRET_ACCESS_KEY,
      logAs: "order-api",
    },
    request,
  );
  switch (result.outcome) {
    case "ok":
      return { ok: true, data: result.data };
    case "unreachable":
      return { ok: false, kind: "unavailable", message: result.timedOut ? TIMEOUT_MESSAGE : MESSAGES.unavailable };
    case "contract_mismatch":
      return { ok: false, kind: "unavailable", message: MESSAGES.unavailable };
    case "error":
      return failureFromResponse(`${request.route.method} ${request.route.path}`, result.status, result.payload);
  }
}

function failureFromResponse(what: string, status: number, payload: unknown): ApiFailure {
  const parsed = errorResponseSchema.safeParse(payload);
  const kind = parsed.success ? KIND_BY_CODE[parsed.data.error.code] : kindFromStatus(status);
  if (kind === "unavailable" || status === 401 || status === 403) {
    // 401/403 mean our signature or IAM policy is wrong: an operator problem, never the shopper's.
    console.error(
      JSON.stringify({
        at: "order-api",
        call: what,
        problem: "error_response",
        status,
        code: parsed.success ? parsed.data.error.code : undefined,
      }),
    );
    return { ok: false, kind: "unavailable", message: MESSAGES.unavailable };
  }
  if (!parsed.success) return { ok: false, kind, message: MESSAGES[kind] };
  const { code, message, fields, currentTotal } = parsed.data.error;
  return {
    ok: false,
    kind,
    code,
    message: message || MESSAGES[kind],
    ...(fields ? { fields } : {}),
    ...(currentTotal !== undefined ? { currentTotal } : {}),
  };
}

function kindFromStatus(status: number): ApiFailureKind {
  if (status === 400 || status === 413 || status === 415 || status === 422) return "validation";
  if (status === 404) return "not_found";
  if (status === 409) return "conflict";
  return "unavailable";
}

function validationFailure(error: z.ZodError): ApiFailure {
  return { ok: false, kind: "validation", message: MESSAGES.validation, fields: fieldErrorsOf(error) };
}
