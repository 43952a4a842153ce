/**
 * The admin API client: typed calls to the order API's /admin routes, signed as the owner-admin IAM principal
 * (ADMIN_ACCESS_KEY_ID / ADMIN_SECRET_ACCESS_KEY). Only the admin pages call it, and only after requireOwner
 * (app/lib/admin-auth.server.ts) has let the request through.
 *
 * Like worker/order-api.server.ts every call returns a result instead of throwing, and both the request and the
 * answer are checked against the contract. Messages are for the owner, in Traditional Chinese; the API's own
 * (English) message is kept as `detail` for the log and the curious.
 */
import type { z } from "zod";
import {
  type AdminListOrdersQuery,
  adminImageRequestSchema,
  adminImageResponseSchema,
  adminListOrdersQuerySchema,
  adminListOrdersResponseSchema,
  adminOrderResponseSchema,
  adminProductsSchema,
  adminReconcileResponseSchema,
  adminSiteSchema,
  adminTransitionRequestSchema,
  type ErrorCode,
  errorResponseSchema,
  type Order,
  type OrderStatus,
  orderIdSchema,
  type Product,
  ROUTES,
  type SiteStatus,
} from "../../aws/src/contract";
import { type ApiRequest, type ApiTransportDeps, fieldErrorsOf, sendApiRequest } from "../api-transport.server";
import { READ_RETRIES, WRITE_RETRIES } from "../aws.server";

export type AdminApiFailureKind = "validation" | "not_found" | "conflict" | "unavailable";

export interface AdminApiFailure {
  ok: false;
  kind: AdminApiFailureKind;
  /** Traditional Chinese, fit to show the owner. */
  message: string;
  /** Field-level problems by dotted path, from the API's validation. */
  fields?: Record<string, string>;
  /** The API's own message, when it sent one. */
  detail?: string;
}

export type AdminApiResult<T> = { ok: true; data: T } | AdminApiFailure;

export type AdminApiDeps = ApiTransportDeps;

export type OrdersPage = z.infer<typeof adminListOrdersResponseSchema>;

/** Longer than the default: reconcile asks ECPay, and image uploads carry up to 2 MB. */
const SLOW_CALL_TIMEOUT_MS = 15_000;

export function listOrders(
  deps: AdminApiDeps,
  query: Partial<AdminListOrdersQuery>,
): Promise<AdminApiResult<OrdersPage>> {
  const parsed = adminListOrdersQuerySchema.safeParse(query);
  if (!parsed.success) return Promise.resolve(validationFailure(parsed.error));
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

export async function getOrder(deps: AdminApiDeps, id: string): Promise<AdminApiResult<Order>> {
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
  deps: AdminApiDeps,
  id: string,
  to: OrderStatus,
  note?: string,
): Promise<AdminApiResult<Order>> {
  const path = orderPath(ROUTES.adminTransition, id);
  if (!path) return notFoundId();
  const body = adminTransitionRequestSchema.safeParse({ to, ...(note ? { note } : {}) });
  if (!body.success) return validationFailure(body.error);
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
  deps: AdminApiDeps,
  id: string,
): Promise<AdminApiResult<z.infer<typeof adminReconcileResponseSchema>>> {
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

/** The catalog as stored, with the revision a change to it must name. */
export type AdminCatalog = z.infer<typeof adminProductsSchema>;
/** The site status as stored, with the revision a change to it must name. */
export type AdminSite = z.infer<typeof adminSiteSchema>;

export function getProducts(deps: AdminApiDeps): Promise<AdminApiResult<AdminCatalog>> {
  return call(deps, { route: ROUTES.adminGetProducts, responseSchema: adminProductsSchema, retries: READ_RETRIES });
}

/**
 * Replaces the whole catalog (the API's unit of writing) if it is still at `revision`; otherwise the answer is a
 * `conflict` and nothing is written. Retrying the same call is safe: after a lost response the retry conflicts
 * rather than writing twice.
 */
export function putProducts(deps: AdminApiDeps, catalog: AdminCatalog): Promise<AdminApiResult<AdminCatalog>> {
  const body = adminProductsSchema.safeParse(catalog);
  if (!body.success) return Promise.resolve(validationFailure(body.error));
  return call(deps, {
    route: ROUTES.adminPutProducts,
    body: body.data,
    responseSchema: adminProductsSchema,
    retries: WRITE_RETRIES,
  });
}

export async function uploadImage(
  deps: AdminApiDeps,
  contentType: "image/jpeg" | "image/png" | "image/webp",
  dataBase64: string,
): Promise<AdminApiResult<string>> {
  const body = adminImageRequestSchema.safeParse({ contentType, dataBase64 });
  if (!body.success) return validationFailure(body.error);
  const result = await call(
    { ...deps, timeoutMs: deps.timeoutMs ?? SLOW_CALL_TIMEOUT_MS },
    { route: ROUTES.adminPostImage, body: body.data, responseSchema: adminImageResponseSchema, retries: WRITE_RETRIES },
  );
  return result.ok ? { ok: true, data: result.data.imageKey } : result;
}

export function getSite(deps: AdminApiDeps): Promise<AdminApiResult<AdminSite>> {
  return call(deps, { route: ROUTES.adminGetSite, responseSchema: adminSiteSchema, retries: READ_RETRIES });
}

/** Replaces the site status if it is still at `site.revision` (see putProducts). */
export function putSite(deps: AdminApiDeps, site: AdminSite): Promise<AdminApiResult<AdminSite>> {
  const body = adminSiteSchema.safeParse(site);
  if (!body.success) return Promise.resolve(validationFailure(body.error));
  return call(deps, {
    route: ROUTES.adminPutSite,
    body: body.data,
    responseSchema: adminSiteSchema,
    retries: WRITE_RETRIES,
  });
}

// ---------------------------------------------------------------------------------------------

const MESSAGES: Record<AdminApiFailureKind, string> = {
  validation: "資料有誤，請檢查標示的欄位。",
  not_found: "找不到這筆資料。",
  conflict: "資料剛剛有變動，請重新整理頁面後再試一次。",
  unavailable: "訂單系統暫時無法使用，請稍後再試；輸入的內容都還在。",
};

/** Finer wording for the codes the owner meets. */
const CODE_MESSAGES: Partial<Record<ErrorCode, string>> = {
  invalid_transition: "這筆訂單目前的狀態不能這樣變更，請重新整理查看最新狀態。",
  conflict: "這筆訂單剛剛被其他操作更新了，請重新整理後再試一次。",
  payload_too_large: "圖片太大，上限為 2 MB。",
  unsupported_media_type: "檔案內容不是 JPEG、PNG 或 WebP 圖片。",
  upstream_error: "綠界暫時沒有回應，請稍後再試。",
};

const KIND_BY_CODE: Record<ErrorCode, AdminApiFailureKind> = {
  bad_request: "validation",
  payload_too_large: "validation",
  unsupported_media_type: "validation",
  not_found: "not_found",
  conflict: "conflict",
  idempotency_mismatch: "conflict",
  invalid_transition: "conflict",
  product_unavailable: "conflict",
  price_changed: "conflict",
  site_closed: "conflict",
  upstream_error: "unavailable",
  internal_error: "unavailable",
};

async function call<T>(deps: AdminApiDeps, request: ApiRequest<T>): Promise<AdminApiResult<T>> {
  const result = await sendApiRequest(
    deps,
    {
      accessKeyId: deps.env.ADMIN_ACCESS_KEY_ID,
      secretAccessKey: deps.env.ADMIN_SECRET_ACCESS_KEY,
      logAs: "admin-api",
    },
    request,
  );
  switch (result.outcome) {
    case "ok":
      return { ok: true, data: result.data };
    case "unreachable":
      return {
        ok: false,
        kind: "unavailable",
        message: result.timedOut ? "訂單系統回應逾時，請稍後再試；輸入的內容都還在。" : MESSAGES.unavailable,
      };
    case "contract_mismatch":
      return { ok: false, kind: "unavailable", message: MESSAGES.unavailable };
    case "error":
      return failureFromResponse(`${request.route.method} ${request.route.path}`, result.status, result.payload);
  }
}

function failureFromResponse(what: string, status: number, payload: unknown): AdminApiFailure {
  const parsed = errorResponseSchema.safeParse(payload);
  if (!parsed.success || status === 401 || status === 403 || KIND_BY_CODE[parsed.data.error.code] === "unavailable") {
    // 401/403 mean our signature or the owner-admin policy is wrong: an operator problem.
    console.error(
      JSON.stringify({
        at: "admin-api",
        call: what,
        problem: "error_response",
        status,
        code: parsed.success ? parsed.data.error.code : undefined,
        detail: parsed.success ? parsed.data.error.message : undefined,
      }),
    );
    if (!parsed.success || status === 401 || status === 403) {
      const kind = status === 404 ? "not_found" : status === 409 ? "conflict" : "unavailable";
      return { ok: false, kind, message: MESSAGES[kind] };
    }
  }
  const { code, message, fields } = parsed.data.error;
  const kind = KIND_BY_CODE[code];
  return {
    ok: false,
    kind,
    message: CODE_MESSAGES[code] ?? MESSAGES[kind],
    ...(fields ? { fields } : {}),
    ...(message ? { detail: message } : {}),
  };
}

function orderPath(route: { path: string }, id: string): string | undefined {
  const parsed = orderIdSchema.safeParse(id);
  return parsed.success ? route.path.replace("{id}", encodeURIComponent(parsed.data)) : undefined;
}

function notFoundId(): AdminApiFailure {
  return { ok: false, kind: "not_found", message: "訂單編號格式不正確（YYMMDD-NNNNN）。" };
}

function validationFailure(error: z.ZodError): AdminApiFailure {
  return { ok: false, kind: "validation", message: MESSAGES.validation, fields: fieldErrorsOf(error) };
}
