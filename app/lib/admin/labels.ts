/**
 * Traditional Chinese names for the order API's enums, shared by the admin pages and the CSV export (the contract's
 * ORDER_STATUSES and PAYMENT_METHODS give the display order). Imports only types from the contract, so pages can
 * use it without shipping zod to the browser.
 */
import type { Actor, OrderStatus, PaymentMethod } from "../../../aws/src/contract";

export const STATUS_LABELS: Record<OrderStatus, string> = {
  created: "已成立",
  awaiting_payment: "待轉帳",
  paid: "已付款",
  shipped: "已出貨",
  cancelled: "已取消",
};

export const METHOD_LABELS: Record<PaymentMethod, string> = {
  credit: "信用卡",
  atm: "ATM 轉帳",
  cod: "貨到付款",
};

export const ACTOR_LABELS: Record<Actor, string> = {
  shopper: "顧客",
  owner: "店主",
  ecpay: "綠界",
  system: "系統",
  reconciler: "自動對帳",
};

/** What the owner's button says for each target status the state machine offers. */
export const ACTION_LABELS: Partial<Record<OrderStatus, string>> = {
  shipped: "標示為已出貨",
  paid: "標示為已收款（貨到付款）",
  cancelled: "取消訂單",
};
