import type { ActionFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { useActionData } from "@remix-run/react";
import { LookupForm } from "../components/LookupForm";
import { type LookupActionData, submitOrderLookup } from "../lib/orders.server";
import { privateRouteHeaders } from "../lib/private-headers";
import { pageMeta } from "../lib/seo";

export const meta: MetaFunction = ({ matches }) =>
  pageMeta(matches, { title: "查詢訂單", description: "輸入訂單編號與手機號碼，查看訂單狀態。" });

export const action = ({ request, context }: ActionFunctionArgs) => submitOrderLookup(context.cloudflare, request);

export const headers = privateRouteHeaders("shopper");

export default function OrderLookupPage() {
  const result = useActionData<typeof action>() as LookupActionData | undefined;
  return (
    <div className="mx-auto max-w-md">
      <h1 className="mb-2 text-2xl font-bold sm:text-3xl">查詢訂單</h1>
      <p className="mb-6 text-stone-700">請輸入訂單編號與下單時填寫的手機號碼。</p>
      <LookupForm result={result} />
    </div>
  );
}
