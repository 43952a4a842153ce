/**
 * How an order reads to the shopper: labels, the timeline of steps its payment method goes through, and the
 * hand-off to ECPay. Pure functions of the order the API returned; nothing here decides a status (the rules are in
 * aws/src/domain, e.g. who may pay again). Browser-safe.
 */
import type { Order, OrderStatus, PaymentMethod } from "../../aws/src/contract";

/** What the browser posts to ECPay to pay an order (checkout and pay again): the API's signed fields. */
export interface Handoff {
  orderId: string;
  paymentMethod: PaymentMethod;
  total: number;
  action: string;
  fields: Record<string, string>;
}

/**
 * The rows between the items and the total: the items subtotal and each fee (運費, 貨到付款手續費), or none for an
 * order without fees (its total is its subtotal).
 */
export function chargeLines(order: Pick<Order, "subtotal" | "fees" | "total">): { label: string; amount: number }[] {
  const fees = order.fees ?? [];
  if (fees.length === 0) return [];
  const subtotal = order.subtotal ?? order.total - fees.reduce((sum, fee) => sum + fee.amount, 0);
  return [{ label: "商品小計", amount: subtotal }, ...fees.map((fee) => ({ label: fee.name, amount: fee.amount }))];
}

export const PAYMENT_METHOD_LABELS: Record<PaymentMethod, string> = {
  credit: "信用卡（綠界 ECPay）",
  atm: "ATM 轉帳（綠界 ECPay）",
  cod: "貨到付款",
};

export function statusLabel(status: OrderStatus, method: PaymentMethod): string {
  switch (status) {
    case "created":
      return method === "cod" ? "訂單成立，準備出貨" : method === "atm" ? "訂單成立，等待取得轉帳帳號" : "等待付款";
    case "awaiting_payment":
      return "等待轉帳";
    case "paid":
      return "已付款";
    case "shipped":
      return method === "cod" ? "已出貨，到貨時付款" : "已出貨";
    case "cancelled":
      return "已取消";
  }
}

interface TimelineStep {
  status: OrderStatus;
  label: string;
  /** When the order reached this step (ISO), from its history. */
  at?: string;
  state: "done" | "current" | "upcoming";
}

const PATHS: Record<PaymentMethod, readonly OrderStatus[]> = {
  credit: ["created", "paid", "shipped"],
  atm: ["created", "awaiting_payment", "paid", "shipped"],
  // Paid when the parcel is handed over.
  cod: ["created", "shipped", "paid"],
};

const STEP_LABELS: Record<PaymentMethod, Partial<Record<OrderStatus, string>>> = {
  credit: { created: "訂單成立", paid: "付款完成", shipped: "已出貨" },
  atm: { created: "訂單成立", awaiting_payment: "取得轉帳帳號", paid: "付款完成", shipped: "已出貨" },
  cod: { created: "訂單成立", shipped: "已出貨", paid: "已收款" },
};

/**
 * The method's path with the steps reached marked done (time from the history). A cancelled order shows the steps
 * it reached and then the cancellation; an ATM order paid before its account notice skips that step.
 */
export function timeline(order: Pick<Order, "status" | "paymentMethod" | "history">): TimelineStep[] {
  const path = PATHS[order.paymentMethod];
  const reachedAt = new Map<OrderStatus, string>();
  for (const entry of order.history) if (!reachedAt.has(entry.to)) reachedAt.set(entry.to, entry.at);
  const labels = STEP_LABELS[order.paymentMethod];
  const step = (status: OrderStatus, state: TimelineStep["state"]): TimelineStep => ({
    status,
    label: labels[status] ?? statusLabel(status, order.paymentMethod),
    ...(reachedAt.has(status) ? { at: reachedAt.get(status) } : {}),
    state,
  });

  if (order.status === "cancelled") {
    return [
      ...path.filter((status) => reachedAt.has(status)).map((status) => step(status, "done")),
      { status: "cancelled", label: "已取消", at: reachedAt.get("cancelled"), state: "current" },
    ];
  }
  const currentIndex = path.indexOf(order.status);
  return path
    .map((status, index): TimelineStep | null => {
      if (index < currentIndex) return reachedAt.has(status) ? step(status, "done") : null;
      if (index === currentIndex) return step(status, "current");
      return step(status, "upcoming");
    })
    .filter((s): s is TimelineStep => s !== null);
}
