/**
 * The admin API client: typed calls to the order API's /admin routes, signed as the owner-admin IAM principal
 * (ADMIN_ACCESS_KEY_ID / ADMIN_SECRET_ACCESS_KEY). Only the admin pages call it, and only after requireOwner
 * (app/lib/admin/auth.server.ts) has let the request through.
 *
 * Like worker/order-api.server.ts it is a list of typed calls on worker/api-client.server.ts: every call returns a
 * result instead of throwing, and both the request and the answer are checked against the contract. Messages are
 * for the owner, in Traditional Chinese; the API's own (English) message is kept as `detail`.
 */
import type { z } from "zod";
import {
  type AdminListOrdersQuery,
  adminListOrdersQuerySchema,
  adminListOrdersResponseSchema,
  adminOrderResponseSchema,
  adminProductsSchema,
  adminPutStockRequestSchema,
  adminReconcileResponseSchema,
  adminShipmentsRequestSchema,
  adminShipmentsResponseSchema,
  adminCheckShipmentResponseSchema,
  paymentRedirectSchema,
  adminSiteSchema,
  adminStockEntrySchema,
  adminStockResponseSchema,
  adminTransitionRequestSchema,
  type CreateUploadResponse,
  createUploadResponseSchema,
  type Order,
  type OrderStatus,
  orderIdSchema,
  type PhotoUploadApi,
  productIdSchema,
  ROUTES,
  type Shipment,
  type UploadStatus,
  uploadIdSchema,
  uploadStatusSchema,
} from "../../aws/src/contract";
import { type ApiDeps, type ApiFailure, type ApiResult, apiClient } from "../api-client.server";
import { READ_RETRIES, WRITE_RETRIES } from "../aws.server";

const { call, invalid } = apiClient("owner");

export type OrdersPage = z.infer<typeof adminListOrdersResponseSchema>;

/** Longer than the default: reconcile asks ECPay. */
const SLOW_CALL_TIMEOUT_MS = 15_000;

export function listOrders(deps: ApiDeps, query: Partial<AdminListOrdersQuery>): Promise<ApiResult<OrdersPage>> {
  const parsed = adminListOrdersQuerySchema.safeParse(query);
  if (!parsed.success) return invalid(parsed.error);
  const search: Record<string, string> = {};
  for (const [name, value] of Object.entries(parsed.data)) {
    if (value !== undefined) search[name] = String(value);
  }
  return call(deps, {
    route: ROUTES.adminListOrders,
    query: search,
    responseSchema: adminListOrdersResponseSchema,
    retries: READ_RETRIES,
  });
}

export async function getOrder(deps: ApiDeps, id: string): Promise<ApiResult<Order>> {
  const path = orderPath(ROUTES.adminGetOrder, id);
  if (!path) return notFoundId();
  const result = await call(deps, {
    route: ROUTES.adminGetOrder,
    path,
    responseSchema: adminOrderResponseSchema,
    retries: READ_RETRIES,
  });
  return result.ok ? { ok: true, data: result.data.order } : result;
}

/** Moves an order along the state machine as the owner. Moving it to the status it already has succeeds. */
export async function transitionOrder(
  deps: ApiDeps,
  id: string,
  to: OrderStatus,
  note?: string,
  shipment?: Pick<Shipment, "carrier" | "trackingNumber">,
): Promise<ApiResult<Order>> {
  const path = orderPath(ROUTES.adminTransition, id);
  if (!path) return notFoundId();
  const body = adminTransitionRequestSchema.safeParse({
    to,
    ...(note ? { note } : {}),
    ...(shipment ? { shipment } : {}),
  });
  if (!body.success) return invalid(body.error);
  const result = await call(deps, {
    route: ROUTES.adminTransition,
    path,
    body: body.data,
    responseSchema: adminOrderResponseSchema,
    retries: WRITE_RETRIES,
  });
  return result.ok ? { ok: true, data: result.data.order } : result;
}

export function reconcileOrder(
  deps: ApiDeps,
  id: string,
): Promise<ApiResult<z.infer<typeof adminReconcileResponseSchema>>> {
  const path = orderPath(ROUTES.adminReconcile, id);
  if (!path) return Promise.resolve(notFoundId());
  return call(
    { ...deps, timeoutMs: deps.timeoutMs ?? SLOW_CALL_TIMEOUT_MS },
    {
      route: ROUTES.adminReconcile,
      path,
      body: {},
      responseSchema: adminReconcileResponseSchema,
      retries: WRITE_RETRIES,
    },
  );
}

/** The owner's "check now": ECPay's current status of a store-pickup shipment, applied like a notification. */
export function checkShipment(
  deps: ApiDeps,
  id: string,
): Promise<ApiResult<z.infer<typeof adminCheckShipmentResponseSchema>>> {
  const path = orderPath(ROUTES.adminCheckShipment, id);
  if (!path) return Promise.resolve(notFoundId());
  return call(
    { ...deps, timeoutMs: deps.timeoutMs ?? SLOW_CALL_TIMEOUT_MS },
    {
      route: ROUTES.adminCheckShipment,
      path,
      body: {},
      responseSchema: adminCheckShipmentResponseSchema,
      retries: WRITE_RETRIES,
    },
  );
}

/** Creates the ECPay logistics orders of store-pickup orders (ADR 0027); each succeeds or fails on its own. */
export function createShipments(
  deps: ApiDeps,
  ids: string[],
): Promise<ApiResult<z.infer<typeof adminShipmentsResponseSchema>>> {
  const body = adminShipmentsRequestSchema.safeParse({ ids });
  if (!body.success) return Promise.resolve(invalid(body.error));
  return call(
    { ...deps, timeoutMs: deps.timeoutMs ?? SLOW_CALL_TIMEOUT_MS },
    {
      route: ROUTES.adminCreateShipments,
      path: ROUTES.adminCreateShipments.path,
      body: body.data,
      responseSchema: adminShipmentsResponseSchema,
      retries: WRITE_RETRIES,
    },
  );
}

/** One form that opens ECPay's labels or slips for these orders' shipments (one chain at a time). */
export function printShipments(
  deps: ApiDeps,
  ids: string[],
): Promise<ApiResult<z.infer<typeof paymentRedirectSchema>>> {
  const body = adminShipmentsRequestSchema.safeParse({ ids });
  if (!body.success) return Promise.resolve(invalid(body.error));
  return call(deps, {
    route: ROUTES.adminPrintShipments,
    path: ROUTES.adminPrintShipments.path,
    body: body.data,
    responseSchema: paymentRedirectSchema,
    retries: WRITE_RETRIES,
  });
}

/** The catalog as stored, with the revision a change to it must name. */
export type AdminCatalog = z.infer<typeof adminProductsSchema>;
/** The site status as stored, with the revision a change to it must name. */
export type AdminSite = z.infer<typeof adminSiteSchema>;

export function getProducts(deps: ApiDeps): Promise<ApiResult<AdminCatalog>> {
  return call(deps, { route: ROUTES.adminGetProducts, responseSchema: adminProductsSchema, retries: READ_RETRIES });
}

/**
 * Replaces the whole catalog (the API's unit of writing) if it is still at `revision`; otherwise the answer is a
 * `conflict` and nothing is written. Retrying the same call is safe: after a lost response the retry conflicts
 * rather than writing twice.
 */
export function putProducts(deps: ApiDeps, catalog: AdminCatalog): Promise<ApiResult<AdminCatalog>> {
  const body = adminProductsSchema.safeParse(catalog);
  if (!body.success) return invalid(body.error);
  return call(deps, {
    route: ROUTES.adminPutProducts,
    body: body.data,
    responseSchema: adminProductsSchema,
    retries: WRITE_RETRIES,
  });
}

/** A presigned POST for one photo (ADR 0019): the BFF posts the file to S3 with it; the API never sees the bytes. */
export function createUpload(deps: ApiDeps): Promise<ApiResult<CreateUploadResponse>> {
  return call(deps, {
    route: ROUTES.adminCreateUpload,
    body: {},
    responseSchema: createUploadResponseSchema,
    // Each call hands out a new key; a retry after a lost answer only leaves an unused one (it expires).
    retries: WRITE_RETRIES,
  });
}

/** What processing made of an upload: still processing, ready (the image), or refused (why). */
export function getUpload(deps: ApiDeps, uploadId: string): Promise<ApiResult<UploadStatus>> {
  if (!uploadIdSchema.safeParse(uploadId).success) {
    return Promise.resolve({ ok: false, kind: "not_found", message: "找不到這次上傳的照片，請重新選擇。" });
  }
  return call(deps, {
    route: ROUTES.adminGetUpload,
    path: ROUTES.adminGetUpload.path.replace("{id}", uploadId),
    responseSchema: uploadStatusSchema,
    retries: READ_RETRIES,
  });
}

/** A failed call on the photo path, carrying the owner's message (contract/photo-upload.ts's calls throw). */
export class PhotoApiError extends Error {
  constructor(readonly failure: ApiFailure) {
    super(failure.detail ?? failure.message);
    this.name = "PhotoApiError";
  }
}

/**
 * The calls `sendPhoto` makes, from the edge: the API's as the owner, and the POST to S3 with the runtime's fetch
 * (the presigned fields are its only authorisation; the owner's keys have no S3 write).
 */
export function photoUploadApi(deps: ApiDeps, sleep?: (ms: number) => Promise<void>): PhotoUploadApi {
  const unwrap = <T>(result: ApiResult<T>): T => {
    if (!result.ok) throw new PhotoApiError(result);
    return result.data;
  };
  return {
    createUpload: async () => unwrap(await createUpload(deps)),
    getUpload: async (id) => unwrap(await getUpload(deps, id)),
    post: (url, form) =>
      (deps.fetch ?? fetch)(
        new Request(url, { method: "POST", body: form, signal: AbortSignal.timeout(S3_POST_TIMEOUT_MS) }),
      ),
    ...(sleep ? { sleep } : {}),
  };
}

/** Posting 20 MB from the edge to S3 takes a few seconds; a stalled upload gives up well inside a minute. */
const S3_POST_TIMEOUT_MS = 45_000;

export function getSite(deps: ApiDeps): Promise<ApiResult<AdminSite>> {
  return call(deps, { route: ROUTES.adminGetSite, responseSchema: adminSiteSchema, retries: READ_RETRIES });
}

/** Replaces the site status if it is still at `site.revision` (see putProducts). */
export function putSite(deps: ApiDeps, site: AdminSite): Promise<ApiResult<AdminSite>> {
  const body = adminSiteSchema.safeParse(site);
  if (!body.success) return invalid(body.error);
  return call(deps, {
    route: ROUTES.adminPutSite,
    body: body.data,
    responseSchema: adminSiteSchema,
    retries: WRITE_RETRIES,
  });
}

export type StockEntry = z.infer<typeof adminStockEntrySchema>;

/** Every catalog product's count (null = not tracked). */
export async function getStockCounts(deps: ApiDeps): Promise<ApiResult<StockEntry[]>> {
  const result = await call(deps, {
    route: ROUTES.adminGetStock,
    responseSchema: adminStockResponseSchema,
    retries: READ_RETRIES,
  });
  return result.ok ? { ok: true, data: result.data.stock } : result;
}

/**
 * Sets a product's count (null: stop tracking) only if it still is `expected`, what the owner's page showed; a sale,
 * a cancellation or another tab since then makes it a `conflict` and nothing is written. Not retried: a lost answer
 * followed by a retry would conflict with its own first write.
 */
export async function putStockCount(
  deps: ApiDeps,
  productId: string,
  stock: number | null,
  expected: number | null,
): Promise<ApiResult<StockEntry>> {
  const id = productIdSchema.safeParse(productId);
  if (!id.success) return invalid(id.error);
  const body = adminPutStockRequestSchema.safeParse({ stock, expected });
  if (!body.success) return invalid(body.error);
  return call(deps, {
    route: ROUTES.adminPutStock,
    path: ROUTES.adminPutStock.path.replace("{id}", encodeURIComponent(id.data)),
    body: body.data,
    responseSchema: adminStockEntrySchema,
    retries: WRITE_RETRIES,
  });
}

function orderPath(route: { path: string }, id: string): string | undefined {
  const parsed = orderIdSchema.safeParse(id);
  return parsed.success ? route.path.replace("{id}", encodeURIComponent(parsed.data)) : undefined;
}

function notFoundId(): ApiFailure {
  return { ok: false, kind: "not_found", message: "訂單編號格式不正確（YYMMDD-NNNN-NNNN）。" };
}
