/**
 * Convenience-store pickup (超商取貨) as the shop sees it: the chains, which of ECPay's logistics subtypes each is for
 * the merchant's account (B2C or C2C), the amount ECPay carries, who may be named as the receiver, and how a parcel's
 * progress reads. Plain TypeScript, no AWS and no ECPay wire format (aws/src/ecpay/logistics.ts is that): the edge
 * shows the same rules the order API enforces. docs/decisions/0027-store-pickup-and-e-invoices.md.
 */

/** The chains a shopper can pick a store of, as shoppers call them. */
export const CVS_CHAINS = ["unimart", "fami", "hilife", "okmart"] as const;
export type CvsChain = (typeof CVS_CHAINS)[number];

export const CVS_CHAIN_NAMES: Record<CvsChain, string> = {
  unimart: "7-ELEVEN",
  fami: "全家便利商店",
  hilife: "萊爾富",
  okmart: "OK超商",
};

/**
 * The kind of logistics contract the shop has with ECPay (a setting per environment): B2C ships through ECPay's
 * warehouses (labels printed, the carrier collects), C2C is "店到店" (the owner drops the parcel at a store with a
 * slip). An account of one kind cannot create the other's orders.
 */
export const LOGISTICS_ACCOUNT_TYPES = ["B2C", "C2C"] as const;
export type LogisticsAccountType = (typeof LOGISTICS_ACCOUNT_TYPES)[number];

/** ECPay's LogisticsSubType for each chain and account kind; absent = that chain is not offered on that account. */
const SUBTYPES: Record<LogisticsAccountType, Partial<Record<CvsChain, string>>> = {
  B2C: { unimart: "UNIMART", fami: "FAMI", hilife: "HILIFE" },
  C2C: { unimart: "UNIMARTC2C", fami: "FAMIC2C", hilife: "HILIFEC2C", okmart: "OKMARTC2C" },
};

/** The chains a shopper may choose with this account, in the order they are offered. */
export function chainsFor(account: LogisticsAccountType): CvsChain[] {
  return CVS_CHAINS.filter((chain) => SUBTYPES[account][chain] !== undefined);
}

export function logisticsSubType(account: LogisticsAccountType, chain: CvsChain): string | undefined {
  return SUBTYPES[account][chain];
}

/** The chain of a LogisticsSubType (either account kind), or undefined for one the shop does not use. */
export function chainOfSubType(subType: string): CvsChain | undefined {
  for (const account of LOGISTICS_ACCOUNT_TYPES) {
    for (const chain of CVS_CHAINS) if (SUBTYPES[account][chain] === subType) return chain;
  }
  return undefined;
}

/**
 * ECPay carries CVS parcels declared at NT$1–20,000 (GoodsAmount; outside it Create answers 10500040), and collects
 * the same range on pickup (CollectionAmount). The declared amount is the order's total, so a larger order cannot be
 * picked up at a store, paid there or not.
 */
export const CVS_MAX_AMOUNT = 20_000;

/** Why an order of this total cannot be picked up at a store (paying there or not), or null when it can. */
export function cvsAmountProblem(total: number): string | null {
  if (total < 1) return "超商取貨的訂單金額至少 NT$1";
  if (total > CVS_MAX_AMOUNT) return `超商取貨的訂單金額上限為 NT$${CVS_MAX_AMOUNT.toLocaleString("en-US")}，請改選宅配`;
  return null;
}

/**
 * The receiver named on a CVS parcel must show ID at the counter, and ECPay accepts 2–5 CJK characters or 4–10 Latin
 * letters, nothing else (no spaces, digits or symbols; official SDK regex, ECPay's 2023-03 notice).
 */
const RECEIVER_NAME = /^(?:[\u4e00-\u9fff\u3400-\u4dbf]{2,5}|[A-Za-z]{4,10})$/;

export function receiverNameProblem(name: string): string | null {
  return RECEIVER_NAME.test(name) ? null : "超商取貨的取件人姓名須與證件相同：2–5 個中文字，或 4–10 個英文字母（不含空白、數字與符號）";
}

/** How long a parcel waits at the store before it goes back (ECPay's chains keep it 7 days). */
export const PICKUP_DAYS = 7;

// ---------------------------------------------------------------------------------------------
// A parcel's progress

/**
 * Where a store-pickup parcel is. Stages only move forward (by rank), so a notification that arrives late or twice
 * changes nothing; `picked_up` and `returned` end the journey.
 */
export const SHIPMENT_STAGES = ["created", "in_transit", "at_store", "returning", "picked_up", "returned"] as const;
export type ShipmentStage = (typeof SHIPMENT_STAGES)[number];

export const SHIPMENT_STAGE_RANK: Record<ShipmentStage, number> = {
  created: 0,
  in_transit: 1,
  at_store: 2,
  returning: 3,
  picked_up: 4,
  returned: 4,
};

export const SHIPMENT_STAGE_LABELS: Record<ShipmentStage, string> = {
  created: "已建立物流單",
  in_transit: "運送中",
  at_store: "已到店，可取貨",
  returning: "未取貨，退回中",
  picked_up: "已取貨",
  returned: "已退回",
};

/** Events that stop a parcel until the owner acts (in ECPay's back office): shown on the order, and alarmed. */
export type ShipmentProblem = "store_closed" | "lost" | "expired" | "cancelled";

export const SHIPMENT_PROBLEM_LABELS: Record<ShipmentProblem, string> = {
  store_closed: "取貨門市關轉，需重選門市",
  lost: "物流回報遺失",
  expired: "超過寄件期限，物流單已失效",
  cancelled: "物流單已取消",
};

/**
 * ECPay's logistics status codes for the CVS chains (logistics_status.xlsx and logistics_history.xlsx in ECPay's
 * SDK_PHP, ../shared/ecpay-logistics-invoice.md A6), by what they mean for the parcel. Codes not listed (reverse
 * orders, informational ones) are recorded and change nothing.
 */
const CODE_STAGE: Record<string, ShipmentStage> = {
  // ECPay received the order.
  "300": "created",
  // Handed to the carrier / dropped off by the seller / accepted at the distribution centre.
  "310": "in_transit",
  "2024": "in_transit",
  "2001": "in_transit",
  "2068": "in_transit",
  "3032": "in_transit",
  "2030": "in_transit",
  "3024": "in_transit",
  // Arrived at the pickup store.
  "2063": "at_store",
  "2073": "at_store",
  "3018": "at_store",
  // Picked up.
  "2067": "picked_up",
  "3022": "picked_up",
  // Not collected: on its way back.
  "2065": "returning",
  "2074": "returning",
  "3020": "returning",
  "2072": "returning",
  "3019": "returning",
  // Back with the seller.
  "2076": "returned",
  "2044": "returned",
  "2070": "returned",
  "3023": "returned",
};

const CODE_PROBLEM: Record<string, ShipmentProblem> = {
  "2037": "store_closed",
  "2104": "store_closed",
  "7011": "store_closed",
  "7101": "store_closed",
  "2042": "lost",
  "7018": "lost",
  "7006": "lost",
  "7007": "lost",
  "2036": "expired",
  "7013": "expired",
  "9999": "cancelled",
};

export type StatusMeaning =
  | { kind: "stage"; stage: ShipmentStage }
  | { kind: "problem"; problem: ShipmentProblem }
  | { kind: "info" };

export function meaningOfStatus(code: string): StatusMeaning {
  const stage = CODE_STAGE[code];
  if (stage) return { kind: "stage", stage };
  const problem = CODE_PROBLEM[code];
  if (problem) return { kind: "problem", problem };
  return { kind: "info" };
}

/** Whether a parcel at `current` may move to `next` (forward only; the end stages are final). */
export function advancesStage(current: ShipmentStage, next: ShipmentStage): boolean {
  return SHIPMENT_STAGE_RANK[next] > SHIPMENT_STAGE_RANK[current];
}

/**
 * A shipment ECPay has and whose parcel has not reached an end (picked up, or back with the shop): its status can
 * still move, so the owner may ask ECPay for it when the notifications stall.
 */
export function shipmentInProgress(l: { state: string; stage?: ShipmentStage } | undefined): boolean {
  return l?.state === "created" && l.stage !== "picked_up" && l.stage !== "returned";
}
