/**
 * Page-level BFF functions for the admin's order pages: the filtered list with paging, bulk shipping, the CSV
 * export of exactly the filtered list, one order's details, and the owner's actions on it.
 */
import { redirect } from "@remix-run/cloudflare";
import { z } from "zod";
import {
  type AdminListOrdersQuery,
  CARRIERS,
  type Carrier,
  fieldErrorsOf,
  ORDER_STATUSES,
  type Order,
  type OrderStatus,
  normaliseOrderId,
  orderIdSchema,
  PAYMENT_METHODS,
  taiwanMobile,
  trackingNumberSchema,
} from "../../../aws/src/contract";
import { CARRIER_NAMES } from "../../../aws/src/domain/carriers";
import { canCreateShipment, nextStatuses } from "../../../aws/src/domain/order-state";
import { SHIPMENT_STAGE_LABELS, shipmentInProgress } from "../../../aws/src/domain/pickup";
import { isCalendarDay, taipeiDay } from "../../../aws/src/domain/taipei-time";
import {
  checkShipment,
  createShipments,
  getOrder,
  printShipments,
  listOrders,
  reconcileOrder,
  transitionOrder,
} from "../../../worker/admin/admin-api.server";
import type { BffContext } from "../../../worker/context";
import type { FieldErrors, FormFailure, FormValues } from "../forms";
import { asList, blank, formErrors } from "../forms.server";
import { privateHeaders } from "../private-headers";
import { ownerAction, ownerPage, requireOwner } from "./auth.server";
import { ordersToCsv } from "./csv";
import { ACTION_LABELS, STATUS_LABELS } from "./labels";

const PAGE_SIZE = 50;
/** The export reads at most this many orders; more means the owner should narrow the dates. */
const EXPORT_LIMIT = 5_000;
const CURSOR = /^[A-Za-z0-9_-]{0,500}$/;
/** Stands for "no cursor" (the first page) in the `back` trail; never part of a cursor. */
const FIRST_PAGE = ".";

const day = (label: string) => z.string().trim().refine(isCalendarDay, `${label}請用 YYYY-MM-DD 格式的日期`);

/** The list's filters, as the GET form (and the export link) send them. */
export const ordersFilterSchema = z
  .object({
    status: z.preprocess(blank, z.enum(ORDER_STATUSES, { error: "請選擇訂單狀態" }).optional()),
    paymentMethod: z.preprocess(blank, z.enum(PAYMENT_METHODS, { error: "請選擇付款方式" }).optional()),
    from: z.preprocess(blank, day("起始日期").optional()),
    to: z.preprocess(blank, day("結束日期").optional()),
    phone: z.preprocess(blank, taiwanMobile.optional()),
  })
  .superRefine((filter, context) => {
    if (filter.from && filter.to && filter.from > filter.to) {
      context.addIssue({ code: "custom", path: ["to"], message: "結束日期不能早於起始日期" });
    }
  });
type OrdersFilter = z.output<typeof ordersFilterSchema>;

/** The list page's query: filters, the page (cursor and the cursors before it), and the order-id search box. */
export const ordersQuerySchema = z.object({
  filter: ordersFilterSchema,
  /** Typed by the owner as the shopper reads it out: dashes and spaces optional (normaliseOrderId). */
  q: z.preprocess((value) => {
    const text = blank(value);
    return typeof text === "string" ? normaliseOrderId(text) : text;
  }, orderIdSchema.optional()),
  cursor: z.preprocess(blank, z.string().regex(CURSOR).optional()),
  /** Cursors of the pages before this one, `~`-separated; the first page, which has none, is `.`. */
  back: z.preprocess(blank, z.string().max(8_000).optional()),
});

const FILTER_NAMES = ["status", "paymentMethod", "from", "to", "phone"] as const;
/** The query's fields as the page names them (`filter.from` is `from`). */
const QUERY_NAMES = [...FILTER_NAMES, "q", "cursor", "back"];

export function ordersQueryInput(search: URLSearchParams) {
  return {
    filter: Object.fromEntries(FILTER_NAMES.map((name) => [name, search.get(name) ?? undefined])),
    q: search.get("q") ?? undefined,
    cursor: search.get("cursor") ?? undefined,
    back: search.get("back") ?? undefined,
  };
}

interface OrderRow {
  id: string;
  createdAt: string;
  status: OrderStatus;
  paymentMethod: Order["paymentMethod"];
  total: number;
  customerName: string;
  phone: string;
  canShip: boolean;
  /** Store pickup (ADR 0027): shipping it creates its ECPay logistics order. */
  pickup: boolean;
  trackingNumber?: string;
}

interface OrdersPageData {
  values: FormValues;
  errors: FieldErrors;
  /** The API failed: the filters stay, the list is empty, and this says why. */
  loadError?: string;
  orders: OrderRow[];
  page: number;
  nextHref: string | null;
  prevHref: string | null;
  exportHref: string;
  /** Whether any date was given; without one the API shows the last 90 days. */
  defaultRange: boolean;
}

type ParsedQuery = ReturnType<typeof ordersQuerySchema.safeParse>;

export async function loadOrdersPage(
  bff: BffContext,
  search: URLSearchParams,
  query: ParsedQuery,
): Promise<OrdersPageData> {
  const values: FormValues = {};
  for (const name of [...FILTER_NAMES, "q"]) {
    const value = search.get(name);
    if (value) values[name] = value;
  }
  const empty = {
    values,
    orders: [],
    page: 1,
    nextHref: null,
    prevHref: null,
    exportHref: "/admin/orders/export.csv",
    defaultRange: !values.from && !values.to,
  };
  if (!query.success) return { ...empty, errors: formErrors(fieldErrorsOf(query.error), QUERY_NAMES) };
  const { filter, q, cursor, back } = query.data;
  // The search box jumps straight to the order.
  if (q) throw redirect(`/admin/orders/${q}`, { headers: privateHeaders("owner") });

  const collected: Order[] = [];
  let next: string | null = cursor ?? null;
  let first = true;
  // Filters apply after DynamoDB's page limit, so one API page may come back short: top up to a full page.
  for (let round = 0; round < 10 && (first || next) && collected.length < PAGE_SIZE; round++) {
    first = false;
    const result = await listOrders(bff, {
      ...apiFilter(filter),
      limit: PAGE_SIZE - collected.length,
      ...(next ? { cursor: next } : {}),
    });
    if (!result.ok) return { ...empty, errors: formErrors(result.fields, FILTER_NAMES), loadError: result.message };
    collected.push(...result.data.orders);
    next = result.data.nextCursor;
  }

  const filterParams = filterSearch(filter);
  const trail = back === undefined ? [] : back.split("~").map((entry) => (entry === FIRST_PAGE ? "" : entry));
  const pageHref = (pageCursor: string | undefined, pageTrail: string[]) => {
    const params = new URLSearchParams(filterParams);
    if (pageCursor) params.set("cursor", pageCursor);
    if (pageTrail.length > 0) params.set("back", pageTrail.map((entry) => entry || FIRST_PAGE).join("~"));
    const text = params.toString();
    return text ? `/admin/orders?${text}` : "/admin/orders";
  };
  const previous = trail.length > 0 ? trail[trail.length - 1] : undefined;
  return {
    values,
    errors: {},
    orders: collected.map(toRow),
    page: trail.length + 1,
    nextHref: next ? pageHref(next, [...trail, cursor ?? ""]) : null,
    prevHref: cursor ? pageHref(previous || undefined, trail.slice(0, -1)) : null,
    exportHref: `/admin/orders/export.csv${filterParams.size > 0 ? `?${filterParams}` : ""}`,
    defaultRange: !filter.from && !filter.to,
  };
}

function toRow(order: Order): OrderRow {
  return {
    id: order.id,
    createdAt: order.createdAt,
    status: order.status,
    paymentMethod: order.paymentMethod,
    total: order.total,
    customerName: order.customer.name,
    phone: order.customer.phone,
    canShip:
      nextStatuses(order, "owner").includes("shipped") ||
      (canCreateShipment(order) && order.logistics?.state !== "created"),
    pickup: order.deliveryMethod === "cvs",
    ...(order.shipment ? { trackingNumber: order.shipment.trackingNumber } : {}),
  };
}

function apiFilter(filter: OrdersFilter): Partial<AdminListOrdersQuery> {
  const query: Partial<AdminListOrdersQuery> = {};
  for (const name of FILTER_NAMES) {
    const value = filter[name];
    if (value !== undefined) (query as Record<string, unknown>)[name] = value;
  }
  return query;
}

function filterSearch(filter: OrdersFilter): URLSearchParams {
  const params = new URLSearchParams();
  for (const name of FILTER_NAMES) {
    const value = filter[name];
    if (value !== undefined) params.set(name, value);
  }
  return params;
}

// ---------------------------------------------------------------------------------------------
// Bulk shipping

/** A carrier picked from the list; blank is "none given". */
const carrierField = z.preprocess(blank, z.enum(CARRIERS, { error: "請選擇物流業者" }).optional());

/**
 * The carrier and the tracking number of one shipment, as typed: both or neither (the owner may ship without
 * one, e.g. delivering by hand). `label` prefixes the messages (the bulk form names the order).
 */
function shipmentOf(
  carrier: Carrier | undefined,
  tracking: string | undefined,
  context: z.RefinementCtx,
  paths: { carrier: string; tracking: string },
  label = "",
): Shipment | undefined {
  const number = tracking?.trim() ?? "";
  if (!number && !carrier) return undefined;
  if (!number) {
    context.addIssue({ code: "custom", path: [paths.tracking], message: `${label}請填寫物流單號` });
    return undefined;
  }
  const parsed = trackingNumberSchema.safeParse(number);
  if (!parsed.success) {
    context.addIssue({ code: "custom", path: [paths.tracking], message: `${label}${parsed.error.issues[0]!.message}` });
    return undefined;
  }
  if (!carrier) {
    context.addIssue({ code: "custom", path: [paths.carrier], message: `${label}請選擇物流業者` });
    return undefined;
  }
  return { carrier, trackingNumber: parsed.data };
}

type Shipment = { carrier: Carrier; trackingNumber: string };

/**
 * Bulk "mark shipped": the ticked orders, one carrier for the batch, and a tracking number per row. The rows'
 * numbers arrive as two lists in table order (`rows`: the order ids, `tracking`: what was typed on each row).
 */
export const bulkShipSchema = z
  .object({
    intent: z.literal("ship"),
    ids: z.preprocess(
      asList,
      z
        .array(orderIdSchema, { error: "請勾選要出貨的訂單" })
        .min(1, "請至少勾選一筆訂單")
        .max(PAGE_SIZE, `一次最多 ${PAGE_SIZE} 筆`),
    ),
    carrier: carrierField,
    /** The store-pickup orders among them (their shipment is ECPay's logistics order, ADR 0027). */
    pickupIds: z.preprocess(asList, z.array(orderIdSchema).max(PAGE_SIZE)),
    rows: z.preprocess(asList, z.array(orderIdSchema).max(PAGE_SIZE)),
    tracking: z.preprocess(asList, z.array(z.string().max(200, "物流單號最多 40 個字元")).max(PAGE_SIZE)),
  })
  .transform((form, context) => {
    const shipments: Record<string, Shipment> = {};
    for (const id of form.ids) {
      const row = form.rows.indexOf(id);
      const shipment = shipmentOf(
        form.tracking[row]?.trim() ? form.carrier : undefined,
        row >= 0 ? form.tracking[row] : undefined,
        context,
        { carrier: "carrier", tracking: "tracking" },
        `訂單 ${id}：`,
      );
      if (shipment) shipments[id] = shipment;
    }
    return { ids: form.ids, pickupIds: form.pickupIds, shipments };
  });

interface BulkShipResult {
  ok: true;
  shipped: string[];
  failed: { id: string; message: string }[];
}

/**
 * Marks each order shipped (four at a time), with its shipment if one was typed; one failing does not stop the
 * others. Store-pickup orders are shipped by creating their ECPay logistics orders (20 per call, ADR 0027).
 */
export async function shipOrders(
  bff: BffContext,
  ids: string[],
  shipments: Record<string, Shipment> = {},
  pickupIds: string[] = [],
): Promise<BulkShipResult> {
  const unique = [...new Set(ids)];
  const shipped: string[] = [];
  const failed: { id: string; message: string }[] = [];
  const pickup = unique.filter((id) => pickupIds.includes(id));
  for (let i = 0; i < pickup.length; i += 20) {
    const batch = pickup.slice(i, i + 20);
    const result = await createShipments(bff, batch);
    if (!result.ok) {
      for (const id of batch) failed.push({ id, message: result.message });
      continue;
    }
    for (const r of result.data.results) {
      if (r.ok) shipped.push(r.id);
      else failed.push({ id: r.id, message: r.message });
    }
  }
  const queue = unique.filter((id) => !pickupIds.includes(id));
  const worker = async () => {
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
      const result = await transitionOrder(bff, id, "shipped", undefined, shipments[id]);
      if (result.ok) shipped.push(id);
      else failed.push({ id, message: result.message });
    }
  };
  await Promise.all(Array.from({ length: Math.min(4, unique.length) }, worker));
  const order = (list: string[]) => list.sort((a, b) => unique.indexOf(a) - unique.indexOf(b));
  order(shipped);
  failed.sort((a, b) => unique.indexOf(a.id) - unique.indexOf(b.id));
  return { ok: true, shipped, failed };
}

// ---------------------------------------------------------------------------------------------
// CSV export

/** Every order the filters match (all pages), as a CSV download; errors are plain text for the browser. */
export async function exportOrdersCsv(
  bff: BffContext,
  filter: ReturnType<typeof ordersFilterSchema.safeParse>,
  headers: Headers,
): Promise<Response> {
  const text = (status: number, message: string) =>
    new Response(message, { status, headers: withType(headers, "text/plain; charset=utf-8") });
  if (!filter.success) {
    return text(400, `篩選條件有誤：${filter.error.issues.map((issue) => issue.message).join("；")}`);
  }
  const orders: Order[] = [];
  let cursor: string | null = null;
  do {
    const result = await listOrders(bff, { ...apiFilter(filter.data), limit: 200, ...(cursor ? { cursor } : {}) });
    if (!result.ok) return text(result.kind === "unavailable" ? 503 : 400, result.message);
    orders.push(...result.data.orders);
    cursor = result.data.nextCursor;
    if (orders.length > EXPORT_LIMIT) {
      return text(422, `符合條件的訂單超過 ${EXPORT_LIMIT} 筆，請縮小日期範圍後再匯出。`);
    }
  } while (cursor);

  const body = new TextEncoder().encode(ordersToCsv(orders));
  const out = withType(headers, "text/csv; charset=utf-8");
  out.set("Content-Disposition", `attachment; filename="orders-${taipeiDay((bff.now ?? Date.now)())}.csv"`);
  out.set("Content-Length", String(body.byteLength));
  return new Response(body, { status: 200, headers: out });
}

function withType(headers: Headers, type: string): Headers {
  const copy = new Headers(headers);
  copy.set("Content-Type", type);
  return copy;
}

// ---------------------------------------------------------------------------------------------
// One order

interface OrderAction {
  to: OrderStatus;
  label: string;
  /** Cancelling asks for a confirmation tick. */
  confirm: boolean;
}

interface OrderDetailData {
  order: Order;
  actions: OrderAction[];
  canReconcile: boolean;
  canCreateShipment: boolean;
  canPrint: boolean;
  canCheckShipment: boolean;
}

async function loadOrderDetail(bff: BffContext, id: string | undefined): Promise<OrderDetailData> {
  const parsed = orderIdSchema.safeParse(id);
  if (!parsed.success)
    throw Response.json({ message: "訂單編號格式不正確。" }, { status: 404, headers: privateHeaders("owner") });
  const result = await getOrder(bff, parsed.data);
  if (!result.ok) {
    const status = result.kind === "not_found" ? 404 : 503;
    const message = result.kind === "not_found" ? `找不到訂單 ${parsed.data}。` : result.message;
    throw Response.json({ message }, { status, headers: privateHeaders("owner") });
  }
  const order = result.data;
  return {
    order,
    actions: nextStatuses(order, "owner").map((to) => ({
      to,
      label: ACTION_LABELS[to] ?? `改為「${STATUS_LABELS[to]}」`,
      confirm: to === "cancelled",
    })),
    // Store pickup (ADR 0027): ECPay's logistics order ships it.
    canCreateShipment: canCreateShipment(order) && order.logistics?.state !== "created",
    canPrint: order.logistics?.state === "created",
    /** ECPay's notifications may stall (they come in batches): the owner can ask for the shipment's status. */
    canCheckShipment: order.deliveryMethod === "cvs" && shipmentInProgress(order.logistics),
    canReconcile:
      order.paymentMethod !== "cod" &&
      (order.status === "created" || order.status === "awaiting_payment") &&
      Boolean(order.payment?.merchantTradeNo),
  };
}

export const orderActionSchema = z
  .discriminatedUnion(
    "intent",
    [
      z.object({
        intent: z.literal("transition"),
        to: z.enum(ORDER_STATUSES, { error: "請選擇要執行的動作" }),
        note: z.preprocess(blank, z.string().trim().max(500, "備註最多 500 字").optional()),
        confirm: z.string().optional(),
        /** Shipping: the carrier and the tracking number (both or neither). */
        carrier: carrierField,
        trackingNumber: z.preprocess(blank, z.string().max(200, "物流單號最多 40 個字元").optional()),
      }),
      z.object({ intent: z.literal("reconcile") }),
      z.object({ intent: z.literal("create_shipment") }),
      z.object({ intent: z.literal("print_shipment") }),
      z.object({ intent: z.literal("check_shipment") }),
    ],
    { error: "請選擇要執行的動作" },
  )
  .superRefine((action, context) => {
    if (action.intent === "transition" && action.to === "cancelled" && action.confirm !== "yes") {
      context.addIssue({ code: "custom", path: ["confirm"], message: "取消訂單前請勾選確認。" });
    }
  })
  .transform((action, context) => {
    if (action.intent !== "transition" || action.to !== "shipped") return { ...action, shipment: undefined };
    const shipment = shipmentOf(action.carrier, action.trackingNumber, context, {
      carrier: "carrier",
      tracking: "trackingNumber",
    });
    return { ...action, shipment };
  });

type OrderActionResult =
  | { ok: true; message: string; detail?: string; print?: { action: string; fields: Record<string, string> } }
  | FormFailure;

async function performOrderAction(
  bff: BffContext,
  id: string | undefined,
  action: z.output<typeof orderActionSchema>,
  values: FormValues,
): Promise<OrderActionResult> {
  const orderId = orderIdSchema.safeParse(id);
  if (!orderId.success) return { ok: false, values, errors: {}, formError: "訂單編號格式不正確。" };
  if (action.intent === "print_shipment") {
    const result = await printShipments(bff, [orderId.data]);
    if (!result.ok) return { ok: false, values, errors: {}, formError: result.message };
    // The page shows a form posting to ECPay's print page (the CSP's form-action allows ECPAY_LOGISTICS_ORIGIN).
    return { ok: true, message: "請按「開啟託運單」到綠界列印。", print: result.data };
  }
  if (action.intent === "check_shipment") {
    const result = await checkShipment(bff, orderId.data);
    if (!result.ok) return { ok: false, values, errors: {}, formError: result.message };
    const { order, statusCode, changed } = result.data;
    const stage = order.logistics?.stage;
    const parcel = stage ? SHIPMENT_STAGE_LABELS[stage] : "已建立物流單";
    return {
      ok: true,
      message: changed
        ? `已向綠界查詢：包裹「${parcel}」，訂單為「${STATUS_LABELS[order.status]}」。`
        : `已向綠界查詢：狀態與訂單記錄相同（包裹「${parcel}」），沒有變更。`,
      detail: `綠界物流狀態碼 ${statusCode}`,
    };
  }
  if (action.intent === "create_shipment") {
    const result = await createShipments(bff, [orderId.data]);
    if (!result.ok) return { ok: false, values, errors: {}, formError: result.message };
    const [outcome] = result.data.results;
    if (!outcome?.ok) return { ok: false, values, errors: {}, formError: outcome?.message ?? "建立物流單失敗" };
    return {
      ok: true,
      message: "已在綠界建立物流單，訂單已出貨。",
      detail: `物流編號 ${outcome.order.logistics?.allPayLogisticsId ?? ""}`,
    };
  }
  if (action.intent === "reconcile") {
    const result = await reconcileOrder(bff, orderId.data);
    if (!result.ok) return { ok: false, values, errors: {}, formError: result.message };
    const { order, outcome } = result.data;
    const message =
      order.status === "paid"
        ? "綠界回報已付款，訂單已標示為「已付款」。"
        : order.status === "cancelled"
          ? "已過 ATM 繳費期限仍未付款，訂單已取消。"
          : `綠界尚未回報付款，訂單維持「${STATUS_LABELS[order.status]}」。`;
    return { ok: true, message, detail: `綠界查詢結果：${outcome}` };
  }
  const result = await transitionOrder(bff, orderId.data, action.to, action.note, action.shipment);
  if (!result.ok) {
    const tracking = result.fields?.["shipment.trackingNumber"];
    const carrier = result.fields?.["shipment.carrier"];
    return {
      ok: false,
      values,
      errors:
        tracking || carrier
          ? { ...(tracking ? { trackingNumber: tracking } : {}), ...(carrier ? { carrier } : {}) }
          : result.fields
            ? { note: Object.values(result.fields)[0] ?? "" }
            : {},
      formError: result.message,
    };
  }
  const shipped = result.data.shipment;
  return {
    ok: true,
    message: shipped
      ? `訂單已改為「${STATUS_LABELS[result.data.status]}」：${CARRIER_NAMES[shipped.carrier]} ${shipped.trackingNumber}。`
      : `訂單已改為「${STATUS_LABELS[result.data.status]}」。`,
  };
}

// ---------------------------------------------------------------------------------------------
// The routes' page functions

export function loadOrdersList(bff: BffContext, request: Request) {
  const search = new URL(request.url).searchParams;
  return ownerPage(bff, request, () =>
    loadOrdersPage(bff, search, ordersQuerySchema.safeParse(ordersQueryInput(search))),
  );
}

export function submitBulkShip(bff: BffContext, request: Request) {
  return ownerAction(bff, request, bulkShipSchema, (form) =>
    shipOrders(bff, form.data.ids, form.data.shipments, form.data.pickupIds),
  );
}

export function loadOrder(bff: BffContext, request: Request, id: string | undefined) {
  return ownerPage(bff, request, () => loadOrderDetail(bff, id));
}

export function submitOrderAction(bff: BffContext, request: Request, id: string | undefined) {
  return ownerAction(bff, request, orderActionSchema, (form) => performOrderAction(bff, id, form.data, form.values));
}

/** The CSV export is a resource route: 401 rather than a redirect when not signed in. */
export async function downloadOrdersCsv(bff: BffContext, request: Request): Promise<Response> {
  const owner = await requireOwner(request, bff, { resource: true });
  const filter = ordersFilterSchema.safeParse(ordersQueryInput(new URL(request.url).searchParams).filter);
  return exportOrdersCsv(bff, filter, owner.headers);
}

/** Only GET exists; a POST still goes through the guard first, so it never answers before the session is checked. */
export async function refuseCsvPost(bff: BffContext, request: Request): Promise<Response> {
  await requireOwner(request, bff, { resource: true });
  return new Response("Method Not Allowed", { status: 405, headers: privateHeaders("owner", { Allow: "GET" }) });
}
