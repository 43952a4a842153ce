/**
 * The one way the BFF talks to the order API: sign as a principal, send JSON, read JSON, check the answer against
 * the contract, and turn every failure into an `ApiFailure` a page can show. The storefront's and the owner's
 * clients (order-api.server.ts, admin/admin-api.server.ts) are lists of typed calls on top of `callApi`; they
 * differ only in the principal they sign as, which also decides how their failures read (CALLERS).
 *
 * Failures are decided once, here (ADR 0002): the contract's error codes map onto a few kinds a page can act on;
 * 401/403 from API Gateway (our signature or IAM policy) and any 5xx, timeout, network failure or contract
 * mismatch become `unavailable`, with the details in the log (never the query string, which can hold a phone).
 */
import type { z } from "zod";
import { type ErrorCode, errorResponseSchema, fieldErrorsOf } from "../aws/src/contract";
import { createSignedClient, UpstreamError } from "./aws.server";
import type { BffContext } from "./context";

export type ApiDeps = Pick<BffContext, "env" | "fetch" | "retryBaseDelayMs"> & { timeoutMs?: number };

interface ApiRequest<T> {
  /** Route as the contract names it (for logs) and the path actually requested (parameters filled in). */
  route: { method: string; path: string };
  path?: string;
  query?: Record<string, string>;
  body?: unknown;
  responseSchema: z.ZodType<T>;
  retries: number;
}

type ApiFailureKind = "validation" | "not_found" | "conflict" | "price_changed" | "site_closed" | "unavailable";

export interface ApiFailure {
  ok: false;
  kind: ApiFailureKind;
  /** Traditional Chinese, fit to show the shopper or the owner as is. */
  message: string;
  /** Field-level problems keyed by dotted path (e.g. `customer.phone`), for forms. */
  fields?: Record<string, string>;
  /** With price_changed: the total the catalog gives now. */
  currentTotal?: number;
  /** The API's error code when it sent one; pages tell e.g. a sold-out product from a reused key. */
  code?: ErrorCode;
  /** The API's own message when the page shows another one (for the log and the curious). */
  detail?: string;
}

export type ApiResult<T> = { ok: true; data: T } | ApiFailure;

/** The IAM principal a call is signed as: the storefront's, or the owner-admin's (the /admin routes). */
type ApiPrincipal = "storefront" | "owner";

interface Caller {
  keys: (env: ApiDeps["env"]) => { accessKeyId: string; secretAccessKey: string };
  logAs: string;
  /** One message per kind; `timeout` for a call that ran out of time. */
  messages: Record<ApiFailureKind | "timeout", string>;
  /** Finer wording for particular codes; wins over the API's own message. */
  codeMessages?: Partial<Record<ErrorCode, string>>;
  /** Show the API's own message (the shopper-facing routes write it in Traditional Chinese). */
  showApiMessage: boolean;
}

/** Each principal and how its failures read to the person behind it. */
const CALLERS: Record<ApiPrincipal, Caller> = {
  storefront: {
    keys: (env) => ({ accessKeyId: env.STOREFRONT_ACCESS_KEY_ID, secretAccessKey: env.STOREFRONT_SECRET_ACCESS_KEY }),
    logAs: "order-api",
    messages: {
      validation: "資料有誤，請檢查標示的欄位後再送出。",
      not_found: "查無資料，請確認訂單編號與手機號碼。",
      conflict: "資料已有變動，請重新整理頁面後再試一次。",
      price_changed: "商品價格已更新，請確認新的金額後再送出。",
      site_closed: "商店目前暫停營業，請稍後再來。",
      unavailable: "訂單系統暫時無法使用，請稍後再試。",
      timeout: "訂單系統回應逾時，請稍後再試。",
    },
    showApiMessage: true,
  },
  // The API's own (English) messages on the admin routes are kept as `detail`; the owner reads these, which also
  // say that what was typed is still there.
  owner: {
    keys: (env) => ({ accessKeyId: env.ADMIN_ACCESS_KEY_ID, secretAccessKey: env.ADMIN_SECRET_ACCESS_KEY }),
    logAs: "admin-api",
    messages: {
      validation: "資料有誤，請檢查標示的欄位。",
      not_found: "找不到這筆資料。",
      conflict: "資料剛剛有變動，請重新整理頁面後再試一次。",
      // The admin routes never answer these two; a conflict's wording fits should they ever.
      price_changed: "資料剛剛有變動，請重新整理頁面後再試一次。",
      site_closed: "資料剛剛有變動，請重新整理頁面後再試一次。",
      unavailable: "訂單系統暫時無法使用，請稍後再試；輸入的內容都還在。",
      timeout: "訂單系統回應逾時，請稍後再試；輸入的內容都還在。",
    },
    codeMessages: {
      invalid_transition: "這筆訂單目前的狀態不能這樣變更，請重新整理查看最新狀態。",
      conflict: "這筆訂單剛剛被其他操作更新了，請重新整理後再試一次。",
      upstream_error: "綠界暫時沒有回應，請稍後再試。",
    },
    showApiMessage: false,
  },
};

/** The one table from the contract's error codes to what a page can do about them. */
const KIND_BY_CODE: Record<ErrorCode, ApiFailureKind> = {
  bad_request: "validation",
  not_found: "not_found",
  conflict: "conflict",
  idempotency_mismatch: "conflict",
  invalid_transition: "conflict",
  product_unavailable: "conflict",
  sold_out: "conflict",
  price_changed: "price_changed",
  site_closed: "site_closed",
  upstream_error: "unavailable",
  internal_error: "unavailable",
};

async function callApi<T>(deps: ApiDeps, principal: ApiPrincipal, request: ApiRequest<T>): Promise<ApiResult<T>> {
  const { env } = deps;
  const caller = CALLERS[principal];
  const client = createSignedClient({
    ...caller.keys(env),
    service: "execute-api",
    region: env.AWS_REGION,
    retries: request.retries,
    timeoutMs: deps.timeoutMs,
    retryBaseDelayMs: deps.retryBaseDelayMs,
    fetch: deps.fetch,
  });
  const url = new URL(env.ORDER_API_URL + (request.path ?? request.route.path));
  for (const [name, value] of Object.entries(request.query ?? {})) url.searchParams.set(name, value);
  const what = `${request.route.method} ${request.route.path}`;
  const log = (entry: Record<string, unknown>) =>
    console.error(JSON.stringify({ at: caller.logAs, call: what, ...entry }));

  let status: number;
  let payload: unknown;
  try {
    const response = await client.fetch(url, {
      method: request.route.method,
      headers:
        request.body === undefined
          ? { accept: "application/json" }
          : { accept: "application/json", "content-type": "application/json" },
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
    });
    status = response.status;
    const text = await response.text();
    payload = text ? safeJson(text) : undefined;
  } catch (error) {
    const timedOut = error instanceof UpstreamError && error.kind === "timeout";
    log({ problem: timedOut ? "timeout" : "network", detail: String(error) });
    return unavailable(caller, timedOut ? caller.messages.timeout : undefined);
  }

  if (status >= 200 && status < 300) {
    const parsed = request.responseSchema.safeParse(payload);
    if (parsed.success) return { ok: true, data: parsed.data };
    // A 2xx the contract does not allow: a deploy skew between edge and API.
    log({ problem: "contract_mismatch", issues: parsed.error.issues.slice(0, 5) });
    return unavailable(caller);
  }

  const parsed = errorResponseSchema.safeParse(payload);
  const kind = parsed.success ? KIND_BY_CODE[parsed.data.error.code] : kindFromStatus(status);
  if (!parsed.success || kind === "unavailable" || status === 401 || status === 403) {
    log({
      problem: "error_response",
      status,
      code: parsed.success ? parsed.data.error.code : undefined,
      detail: parsed.success ? parsed.data.error.message : undefined,
    });
  }
  // 401/403 mean our signature or IAM policy is wrong: an operator problem, never the shopper's or the owner's.
  if (kind === "unavailable" || status === 401 || status === 403) {
    const code = parsed.success ? parsed.data.error.code : undefined;
    return unavailable(caller, code && status !== 401 && status !== 403 ? caller.codeMessages?.[code] : undefined);
  }
  if (!parsed.success) return { ok: false, kind, message: caller.messages[kind] };
  const { code, message, fields, currentTotal } = parsed.data.error;
  const shown = caller.codeMessages?.[code] ?? (caller.showApiMessage && message ? message : caller.messages[kind]);
  return {
    ok: false,
    kind,
    code,
    message: shown,
    ...(fields ? { fields } : {}),
    ...(currentTotal !== undefined ? { currentTotal } : {}),
    ...(message && message !== shown ? { detail: message } : {}),
  };
}

/** A request the contract refuses before anything is sent, with the contract's messages per field. */
function validationFailure(principal: ApiPrincipal, error: z.ZodError): ApiFailure {
  return {
    ok: false,
    kind: "validation",
    message: CALLERS[principal].messages.validation,
    fields: fieldErrorsOf(error),
  };
}

/** A client's two tools, bound to its principal: `call` and `invalid` (a request the contract refuses). */
export function apiClient(principal: ApiPrincipal) {
  return {
    call: <T>(deps: ApiDeps, request: ApiRequest<T>): Promise<ApiResult<T>> => callApi(deps, principal, request),
    invalid: (error: z.ZodError): Promise<ApiFailure> => Promise.resolve(validationFailure(principal, error)),
  };
}

function unavailable(caller: Caller, message?: string): ApiFailure {
  return { ok: false, kind: "unavailable", message: message ?? caller.messages.unavailable };
}

function kindFromStatus(status: number): ApiFailureKind {
  if (status === 400 || status === 413 || status === 415 || status === 422) return "validation";
  if (status === 404) return "not_found";
  if (status === 409) return "conflict";
  return "unavailable";
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
