/**
 * The shop's emails, in Traditional Chinese, as plain text and HTML: one function per event, pure (order in, message
 * out), so every wording is testable without SES. Whatever a shopper typed (name, address, note) is escaped in HTML.
 */
import type { Order, PaymentMethod } from "../contract";
import { CARRIER_NAMES, trackingLink } from "../domain/carriers";
import type { MailEvent } from "../domain/notifications";
import { CVS_CHAIN_NAMES } from "../domain/pickup";

export const SHOP_NAME = "小島良品";

export interface MailMessage {
  subject: string;
  text: string;
  html: string;
}

export interface MailContext {
  /** The storefront's origin, for the order page and the admin links. */
  storefrontUrl: string;
}

const METHOD_NAMES: Record<PaymentMethod, string> = { credit: "信用卡", atm: "ATM 轉帳", cod: "貨到付款" };

/** Pay on arrival is 取貨付款 when the parcel is collected at a store. */
export function methodName(order: Pick<Order, "paymentMethod" | "deliveryMethod">): string {
  return order.paymentMethod === "cod" && order.deliveryMethod === "cvs" ? "取貨付款" : METHOD_NAMES[order.paymentMethod];
}

/** `yyyy-MM-dd` as a date in words. */
function dayText(day: string): string {
  const [y, m, d] = day.split("-");
  return y && m && d ? `${y} 年 ${Number(m)} 月 ${Number(d)} 日` : day;
}

/** The pickup store, for the shopper and the owner. */
function storeLines(order: Order): string[] {
  const store = order.pickupStore;
  if (!store) return [];
  return [`取貨門市：${CVS_CHAIN_NAMES[store.chain]} ${store.name}`, `門市地址：${store.address}`];
}

const money = (n: number) => `NT$${n.toLocaleString("en-US")}`;

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

/** `yyyy/MM/dd` or `yyyy/MM/dd HH:mm:ss` as ECPay sends it, shown as a date. */
function deadlineText(expireDate: string): string {
  const [y, m, d] = expireDate.slice(0, 10).split("/");
  return y && m && d ? `${y} 年 ${Number(m)} 月 ${Number(d)} 日` : expireDate;
}

interface Block {
  /** Lines of plain text; the HTML shows them as paragraphs (escaped) unless `html` says otherwise. */
  text: string[];
  html?: string;
}

function summary(order: Order): Block {
  const rows = [
    ...order.lines.map((l) => [`${l.name} × ${l.quantity}`, money(l.lineTotal)] as const),
    ...(order.fees ?? []).map((f) => [f.name, money(f.amount)] as const),
  ];
  const text = [...rows.map(([label, amount]) => `${label}　${amount}`), `合計　${money(order.total)}（${methodName(order)}）`];
  const html =
    `<table role="presentation" style="border-collapse:collapse;width:100%;max-width:480px">` +
    rows
      .map(([label, amount]) => `<tr><td style="padding:4px 0">${escapeHtml(label)}</td><td style="padding:4px 0;text-align:right">${amount}</td></tr>`)
      .join("") +
    `<tr><td style="padding:6px 0;border-top:1px solid #ccc;font-weight:bold">合計（${methodName(order)}）</td>` +
    `<td style="padding:6px 0;border-top:1px solid #ccc;text-align:right;font-weight:bold">${money(order.total)}</td></tr></table>`;
  return { text, html };
}

function link(label: string, url: string): Block {
  return { text: [`${label}：${url}`], html: `<p><a href="${escapeHtml(url)}">${escapeHtml(label)}</a></p>` };
}

function para(...lines: string[]): Block {
  return { text: lines };
}

function compose(subject: string, greeting: string, blocks: Block[]): MailMessage {
  const text = [greeting, "", ...blocks.flatMap((b) => [...b.text, ""]), `${SHOP_NAME} 敬上`].join("\n");
  const body = blocks.map((b) => b.html ?? `<p>${b.text.map(escapeHtml).join("<br>")}</p>`).join("\n");
  const html =
    `<!doctype html><html lang="zh-Hant"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>` +
    `<body style="font-family:sans-serif;line-height:1.6;color:#222"><p>${escapeHtml(greeting)}</p>\n${body}\n<p>${SHOP_NAME} 敬上</p></body></html>`;
  return { subject: `【${SHOP_NAME}】${subject}`, text, html };
}

const orderPage = (order: Order, ctx: MailContext) => `${ctx.storefrontUrl.replace(/\/$/, "")}/orders/${order.id}`;
const lookup = (order: Order, ctx: MailContext) => link("查看訂單（請輸入訂購時的手機號碼）", orderPage(order, ctx));

/** The e-invoice, when ECPay has issued it by the time the email goes out (the invoice is issued first). */
function invoiceBlock(order: Order): Block[] {
  const invoice = order.invoice;
  if (invoice?.status === "issued" && invoice.number) {
    return [para(`電子發票號碼：${invoice.number}（開立日期 ${(invoice.date ?? "").slice(0, 10)}）`)];
  }
  if (invoice?.status === "pending") return [para("電子發票開立後，綠界科技會以 Email 通知您發票號碼。")];
  return [];
}

/** Why an order was cancelled, in the shopper's words. */
export function cancelReason(order: Order): string {
  const entry = [...order.history].reverse().find((h) => h.to === "cancelled");
  // The scheduled reconciler, or the owner's reconcile button for one ATM order: the deadline passed unpaid.
  if (entry?.by === "reconciler" || entry?.by === "system") {
    return order.paymentMethod === "atm" ? "ATM 轉帳期限已過，我們沒有收到款項。" : "付款沒有在期限內完成。";
  }
  if (entry?.by === "ecpay" && order.deliveryMethod === "cvs") return "包裹未在期限內到門市取貨，已退回店家。";
  return entry?.note ? `店家說明：${entry.note}` : "店家已取消這筆訂單，如有疑問請回覆此信與我們聯絡。";
}

export function renderMail(event: MailEvent, order: Order, ctx: MailContext): MailMessage {
  const hello = `${order.customer.name} 您好：`;
  switch (event) {
    case "received": {
      const atm = order.payment?.atm;
      if (order.paymentMethod === "atm" && atm) {
        return compose(`訂單 ${order.id} 已成立，請於期限內轉帳`, hello, [
          para(`感謝您的訂購！訂單編號 ${order.id}。請在期限內轉帳，收到款項後會再通知您。`),
          {
            text: [`銀行代碼：${atm.bankCode}`, `轉帳帳號：${atm.account}`, `應付金額：${money(order.total)}`, `繳費期限：${deadlineText(atm.expireDate)}`],
          },
          summary(order),
          lookup(order, ctx),
        ]);
      }
      const next =
        order.paymentMethod === "cod"
          ? order.deliveryMethod === "cvs"
            ? `取貨付款：包裹到店後會通知您，取貨時請在門市付 ${money(order.total)}。`
            : `貨到付款：出貨後會通知您，收貨時請備妥 ${money(order.total)}。`
          : "付款完成後會再寄信通知您；若付款沒有完成，可以在訂單頁面重新付款。";
      return compose(`訂單 ${order.id} 已成立`, hello, [
        para(`感謝您的訂購！訂單編號 ${order.id}。`, next),
        ...(order.pickupStore ? [para(...storeLines(order))] : []),
        summary(order),
        lookup(order, ctx),
      ]);
    }
    case "paid": {
      // Picked up and paid at the store: the parcel is in the shopper's hands already.
      const collected = order.paymentMethod === "cod";
      return compose(`訂單 ${order.id} 付款完成`, hello, [
        para(
          `我們已收到訂單 ${order.id} 的款項 ${money(order.total)}（${methodName(order)}）${collected ? "，謝謝您的購買。" : "，將盡快為您出貨。"}`,
        ),
        ...invoiceBlock(order),
        summary(order),
        lookup(order, ctx),
      ]);
    }
    case "shipped": {
      const shipment = order.shipment;
      const blocks: Block[] = [para(`訂單 ${order.id} 已經出貨。`)];
      if (shipment) {
        blocks.push(para(`物流業者：${CARRIER_NAMES[shipment.carrier]}`, `物流單號：${shipment.trackingNumber}`));
        const tracking = trackingLink(shipment.carrier, shipment.trackingNumber);
        if (tracking) blocks.push(link(tracking.deep ? "查詢貨態" : `到${CARRIER_NAMES[shipment.carrier]}網站查詢（請輸入物流單號）`, tracking.url));
      }
      if (order.pickupStore) blocks.push(para(...storeLines(order), "包裹到店後會再寄信通知您。"));
      if (order.paymentMethod === "cod") {
        blocks.push(para(order.deliveryMethod === "cvs" ? `取貨付款：取貨時請在門市付 ${money(order.total)}。` : `貨到付款：收貨時請備妥 ${money(order.total)}。`));
      }
      blocks.push(lookup(order, ctx));
      return compose(`訂單 ${order.id} 已出貨`, hello, blocks);
    }
    case "arrived": {
      const by = order.logistics?.pickupBy;
      return compose(`訂單 ${order.id} 已到店，請${by ? ` ${dayText(by)} 前` : ""}取貨`, hello, [
        para(`您的包裹已送達門市${by ? `，請在 ${dayText(by)} 前` : "，請儘快"}攜帶證件前往取貨（取件人：${order.customer.name}）。`, ...storeLines(order)),
        ...(order.paymentMethod === "cod" ? [para(`取貨付款：取貨時請在門市付 ${money(order.total)}。`)] : []),
        para("逾期未取的包裹會退回店家，訂單將會取消。"),
        lookup(order, ctx),
      ]);
    }
    case "cancelled":
      return compose(`訂單 ${order.id} 已取消`, hello, [
        para(`您的訂單 ${order.id} 已取消。`, `原因：${cancelReason(order)}`),
        ...(order.status === "cancelled" && order.payment?.tradeNo && order.history.some((h) => h.to === "paid")
          ? [para("已付款的金額將由店家辦理退款。")]
          : []),
        summary(order),
        lookup(order, ctx),
      ]);
    case "owner_new": {
      const admin = `${ctx.storefrontUrl.replace(/\/$/, "")}/admin/orders/${order.id}`;
      const status = order.paymentMethod === "cod" ? `${methodName(order)}，請安排出貨` : "已付款，請安排出貨";
      const where = order.pickupStore ? storeLines(order) : [`地址：${order.customer.address ?? ""}`];
      return {
        ...compose(`新訂單 ${order.id}（${methodName(order)}，${money(order.total)}）`, "老闆您好：", [
          para(`新訂單 ${order.id}：${status}。`),
          para(`收件人：${order.customer.name}`, `手機：${order.customer.phone}`, ...where, ...(order.note ? [`備註：${order.note}`] : [])),
          summary(order),
          link("在管理後台查看", admin),
        ]),
      };
    }
  }
}
