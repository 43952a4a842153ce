/** A product's price as pages show it: the amount in TWD, announced as a price to screen readers. */
import { formatTwd } from "../lib/format";

export function Price({
  amount,
  as: Tag = "span",
  className,
}: {
  amount: number;
  as?: "span" | "p";
  className: string;
}) {
  return (
    <Tag className={className}>
      <span className="sr-only">價格 </span>
      {formatTwd(amount)}
    </Tag>
  );
}
