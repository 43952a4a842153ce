/**
 * Traditional Chinese names for the order API's enums, shared by the admin pages and the CSV export (the contract's
 * ORDER_STATUSES and PAYMENT_METHODS give the display order). Imports only types from the contract, so pages can
 * use it without shipping zod to the browser (the photo limits come from contract/photos.ts, free of zod too).
 */
import type { Actor, OrderStatus, PaymentMethod } from "../../../aws/src/contract";
import { MAX_INPUT_PIXELS, MAX_UPLOAD_BYTES, type UploadProblem } from "../../../aws/src/contract/photos";

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

/**
 * Why a photo was refused, for the owner: what is wrong and what to do instead. The function and the BFF name the
 * problem (contract/photos.ts UPLOAD_PROBLEMS); the admin says it.
 */
export const UPLOAD_PROBLEM_MESSAGES: Record<UploadProblem, string> = {
  not_an_image: "這個檔案不是圖片。請選擇 JPEG、PNG 或 WebP 格式的照片。",
  heic:
    "這是 iPhone 的 HEIC 格式，目前無法使用。請改傳 JPEG：在 iPhone 的「設定 → 相機 → 格式」選「最相容」後重新拍攝，" +
    "或先在「照片」App 分享／拷貝成 JPEG 再上傳（用 Safari 從相簿選取照片時，通常也會自動轉成 JPEG）。",
  too_large: `檔案太大，上限為 ${MAX_UPLOAD_BYTES / 1024 / 1024} MB。請傳手機原本拍的照片，或先縮小後再上傳。`,
  too_many_pixels: `照片的像素太多（上限 ${MAX_INPUT_PIXELS / 1_000_000} 百萬像素）。請先縮小尺寸後再上傳。`,
  unreadable: "這張圖片無法讀取，可能已損壞或沒有完整傳完。請重新匯出或重新拍攝後再上傳。",
};
