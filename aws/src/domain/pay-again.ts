/**
 * Who may pay again (ADR 0011): a card or ATM order still `created`, with a checkout attempt at ECPay and no ATM
 * virtual account yet. The order page offers the button exactly then; the retry-payment Lambda issues a new
 * attempt exactly then (after asking ECPay whether the current one was paid after all).
 */
import type { Order } from "../contract";

export function canPayAgain(order: Pick<Order, "status" | "paymentMethod" | "payment">): boolean {
  return (
    order.paymentMethod !== "cod" &&
    order.status === "created" &&
    Boolean(order.payment?.merchantTradeNo) &&
    !order.payment?.atm
  );
}
