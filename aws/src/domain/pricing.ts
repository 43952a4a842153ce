/**
 * Prices an order from the catalog and the owner's fee settings. The browser only says which products, how many,
 * how it pays and how it wants delivery; every amount here comes from what the server just read. The storefront
 * uses the same functions to show the fees (and how far free shipping is) before the shopper commits.
 */
import type {
  Catalog,
  DeliveryFeeRule,
  DeliveryMethod,
  FeeLine,
  OrderLine,
  PaymentMethod,
  ShippingSettings,
} from "../contract";

export interface RequestedItem {
  productId: string;
  quantity: number;
}

export interface PricedOrder {
  lines: OrderLine[];
  /** Sum of the lines. */
  subtotal: number;
  /** Delivery fee and surcharges, in the order they are printed. */
  fees: FeeLine[];
  /** subtotal + fees: what the shopper pays and ECPay's TotalAmount. */
  total: number;
}

export type PricingResult =
  | ({ ok: true } & PricedOrder)
  | { ok: false; reason: "unknown_product" | "unavailable_product"; productIds: string[] };

export interface Delivery {
  paymentMethod: PaymentMethod;
  deliveryMethod?: DeliveryMethod;
  /** The owner's settings (`site.json`'s `shipping`); absent means free delivery and no surcharge. */
  shipping?: ShippingSettings;
}

export const FEE_NAMES: Record<FeeLine["kind"], string> = {
  shipping: "運費",
  cod_surcharge: "貨到付款手續費",
};

export function priceOrder(items: readonly RequestedItem[], catalog: Catalog, delivery: Delivery): PricingResult {
  const byId = new Map(catalog.products.map((p) => [p.id, p]));
  const unknown = items.filter((i) => !byId.has(i.productId)).map((i) => i.productId);
  if (unknown.length > 0) return { ok: false, reason: "unknown_product", productIds: unknown };
  const unavailable = items.filter((i) => !byId.get(i.productId)?.available).map((i) => i.productId);
  if (unavailable.length > 0) return { ok: false, reason: "unavailable_product", productIds: unavailable };

  const lines = items.map((item): OrderLine => {
    // Existence was checked above; the non-null assertion keeps the mapping readable.
    const product = byId.get(item.productId)!;
    return {
      productId: product.id,
      name: product.name,
      unitPrice: product.unitPrice,
      quantity: item.quantity,
      lineTotal: product.unitPrice * item.quantity,
    };
  });
  const subtotal = lines.reduce((sum, line) => sum + line.lineTotal, 0);
  const fees = feesFor(subtotal, delivery);
  return { ok: true, lines, subtotal, fees, total: subtotal + fees.reduce((sum, fee) => sum + fee.amount, 0) };
}

/** The rule that applies to a delivery method (none: delivery is free). */
export function feeRuleFor(shipping: ShippingSettings | undefined, method: DeliveryMethod = "home"): DeliveryFeeRule {
  return shipping?.[method] ?? {};
}

/**
 * The fee lines for an items subtotal: the flat delivery fee unless the subtotal reaches the free-shipping threshold
 * (reaching it exactly is free), and the pay-on-arrival surcharge for `cod`, which free shipping does not waive.
 * Zero amounts are not printed.
 */
export function feesFor(subtotal: number, delivery: Delivery): FeeLine[] {
  const rule = feeRuleFor(delivery.shipping, delivery.deliveryMethod);
  const fees: FeeLine[] = [];
  const shippingFee = isFreeShipping(subtotal, rule) ? 0 : (rule.fee ?? 0);
  if (shippingFee > 0) fees.push({ kind: "shipping", name: FEE_NAMES.shipping, amount: shippingFee });
  if (delivery.paymentMethod === "cod" && (rule.codSurcharge ?? 0) > 0) {
    fees.push({ kind: "cod_surcharge", name: FEE_NAMES.cod_surcharge, amount: rule.codSurcharge! });
  }
  return fees;
}

function isFreeShipping(subtotal: number, rule: DeliveryFeeRule): boolean {
  return rule.freeShippingThreshold !== undefined && subtotal >= rule.freeShippingThreshold;
}

/**
 * How much more the shopper must buy for free delivery ("再買 NT$320 即可免運"): null when there is nothing to gain
 * (no fee, no threshold, or already free).
 */
export function amountToFreeShipping(subtotal: number, shipping: ShippingSettings | undefined, method: DeliveryMethod = "home"): number | null {
  const rule = feeRuleFor(shipping, method);
  if (!rule.fee || rule.freeShippingThreshold === undefined || isFreeShipping(subtotal, rule)) return null;
  return rule.freeShippingThreshold - subtotal;
}
