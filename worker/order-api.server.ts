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
  cvsMapRequestSchema,
  cvsMapResponseSchema,
  type GetOrderResponse,
  getOrderQuerySchema,
  getOrderResponseSchema,
  pingResponseSchema,
  ROUTES,
  retryPaymentRequestSchema,
  retryPaymentResponseSchema,
  type StockLevels,
  stockResponseSchema,
} from "../aws/src/contract";
import { type ApiDeps, type ApiResult, apiClient } from "./api-client.server";
import { READ_RETRIES, WRITE_RETRIES } from "./aws.server";

const { call, invalid } = apiClient("storefront");

export type Ping = z.infer<typeof pingResponseSchema>;

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
  if (!parsed.success) return invalid(parsed.error);
  return call(deps, {
    route: ROUTES.createOrder,
    body: parsed.data,
    responseSchema: createOrderResponseSchema,
    retries: WRITE_RETRIES,
  });
}

/** The form that opens ECPay's store map for a chain (ADR 0027); the map posts the store back to /checkout/store. */
export function cvsMapForm(
  deps: ApiDeps,
  request: z.input<typeof cvsMapRequestSchema>,
): Promise<ApiResult<z.infer<typeof cvsMapResponseSchema>>> {
  const parsed = cvsMapRequestSchema.safeParse(request);
  if (!parsed.success) return invalid(parsed.error);
  return call(deps, {
    route: ROUTES.cvsMap,
    body: parsed.data,
    responseSchema: cvsMapResponseSchema,
    retries: WRITE_RETRIES,
  });
}

/** Looks an order up the way a shopper can: by its id and the phone number it was placed with. */
export function getOrder(deps: ApiDeps, id: string, phone: string): Promise<ApiResult<GetOrderResponse>> {
  const parsed = getOrderQuerySchema.safeParse({ id, phone });
  if (!parsed.success) return invalid(parsed.error);
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
export function retryPayment(
  deps: ApiDeps,
  id: string,
  phone: string,
  /** The storefront origin the shopper is on, when it is not SITE_URL: ECPay sends them back there. */
  origin?: string,
): Promise<ApiResult<CreateOrderResponse>> {
  const parsed = retryPaymentRequestSchema.safeParse({ id, phone, ...(origin ? { origin } : {}) });
  if (!parsed.success) return invalid(parsed.error);
  return call(deps, {
    route: ROUTES.retryPayment,
    body: parsed.data,
    responseSchema: retryPaymentResponseSchema,
    retries: WRITE_RETRIES,
  });
}

/**
 * Units left of each counted product (GET /stock). One quick attempt: the pages show stock from a briefly cached
 * copy (worker/stock.server.ts) and would rather show none than wait; the order API checks again on every order.
 */
export async function getStock(deps: ApiDeps): Promise<ApiResult<StockLevels>> {
  const result = await call(
    { ...deps, timeoutMs: deps.timeoutMs ?? STOCK_TIMEOUT_MS },
    { route: ROUTES.getStock, responseSchema: stockResponseSchema, retries: 0 },
  );
  return result.ok ? { ok: true, data: result.data.stock } : result;
}

const STOCK_TIMEOUT_MS = 2_500;
