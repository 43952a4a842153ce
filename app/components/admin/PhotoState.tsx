/**
 * A product's new photo as the owner needs to know about it: still being processed (the shop shows the previous
 * photo or the placeholder meanwhile), or refused, with why and what to do.
 */
import type { Product } from "../../../aws/src/contract";
import { UPLOAD_PROBLEM_MESSAGES } from "../../lib/admin/labels";

export function PhotoState({ product, long = false }: { product: Pick<Product, "imageUpload">; long?: boolean }) {
  const pending = product.imageUpload;
  if (!pending) return null;
  if (!pending.problem) {
    return (
      <p className="text-sm text-stone-700" role="status">
        {long ? "新照片處理中，完成後商店會自動換上（通常幾秒內；重新整理本頁可查看）。" : "新照片處理中"}
      </p>
    );
  }
  return (
    <p className="text-sm font-medium text-red-700">
      {long ? `新照片無法使用：${UPLOAD_PROBLEM_MESSAGES[pending.problem]}` : "新照片無法使用"}
    </p>
  );
}
