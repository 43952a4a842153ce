/**
 * The column headers of the admin's tables (orders, products, an order's lines): `scope="col"`, the admin's cell
 * padding, amounts aligned right, and a header only screen readers need (a column of checkboxes) kept visually hidden.
 */
export type ColumnHead = string | { label: string; right?: true; hidden?: true };

export function ColumnHeads({ columns }: { columns: readonly ColumnHead[] }) {
  return (
    <>
      {columns.map((column) => {
        const { label, right, hidden } = typeof column === "string" ? { label: column } : column;
        return (
          <th key={label} scope="col" className={right ? "px-3 py-2 text-right" : "px-3 py-2"}>
            {hidden ? <span className="sr-only">{label}</span> : label}
          </th>
        );
      })}
    </>
  );
}
