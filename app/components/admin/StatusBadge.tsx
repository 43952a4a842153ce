import type { OrderStatus } from "../../../aws/src/contract";
import { STATUS_LABELS } from "../../lib/admin/labels";

const COLORS: Record<OrderStatus, string> = {
  created: "bg-amber-100 text-amber-900",
  awaiting_payment: "bg-sky-100 text-sky-900",
  paid: "bg-emerald-100 text-emerald-900",
  shipped: "bg-indigo-100 text-indigo-900",
  cancelled: "bg-stone-200 text-stone-800",
};

export function StatusBadge({ status }: { status: OrderStatus }) {
  return (
    <span
      data-status={status}
      className={`inline-block rounded-full px-2.5 py-0.5 text-sm font-medium ${COLORS[status]}`}
    >
      {STATUS_LABELS[status]}
    </span>
  );
}
