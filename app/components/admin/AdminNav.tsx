/** The admin's header: its name, the page links and the logout button (a plain form post, no JavaScript needed). */
import { Form, NavLink } from "@remix-run/react";
import { ADMIN_NAME } from "../../lib/admin/meta";
import { buttonClass } from "./fields";

const NAV = [
  { to: "/admin", label: "總覽", end: true },
  { to: "/admin/orders", label: "訂單", end: false },
  { to: "/admin/products", label: "商品", end: false },
  { to: "/admin/site", label: "商店設定", end: false },
] as const;

export function AdminNav() {
  return (
    <div className="flex flex-wrap items-center justify-between gap-4 border-b border-stone-300 pb-4">
      <p className="text-lg font-bold text-stone-900">{ADMIN_NAME}</p>
      <nav aria-label="後台選單">
        <ul className="flex flex-wrap gap-1">
          {NAV.map((item) => (
            <li key={item.to}>
              <NavLink
                to={item.to}
                end={item.end}
                className={({ isActive }) =>
                  `block rounded-md px-3 py-2 font-medium ${
                    isActive ? "bg-brand-700 text-white" : "text-stone-800 hover:bg-stone-200"
                  }`
                }
              >
                {item.label}
              </NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <Form method="post" action="/admin/logout" reloadDocument>
        <button type="submit" className={buttonClass.secondary}>
          登出
        </button>
      </Form>
    </div>
  );
}
