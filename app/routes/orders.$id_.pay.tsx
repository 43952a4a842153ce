/**
 * Pay again: the order page's button POSTs here; the answer is the ECPay hand-off for a new attempt (or a 303 back
 * to the order page when there is nothing to pay). A GET only links back to the order.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { EcpayHandoff } from "../components/EcpayHandoff";
import { type PayAgainActionData, payAgain, payAgainPage } from "../lib/orders.server";
import type { PageHandle } from "../lib/page-scripts";
import { privateRouteHeaders } from "../lib/private-headers";
import { pageMeta } from "../lib/seo";

export const meta: MetaFunction = ({ params, matches }) =>
  pageMeta(matches, { title: `付款 ${params.id ?? ""}`, description: "前往綠界 ECPay 完成付款。" });

/** The small script only (app/enhance.js): the ECPay hand-off submits itself. */
export const handle: PageHandle = { scripts: "enhance" };

export const loader = ({ params }: LoaderFunctionArgs) => payAgainPage(params.id);
export const action = ({ request, params, context }: ActionFunctionArgs) =>
  payAgain(context.cloudflare, request, params.id);

export const headers = privateRouteHeaders("shopper");

export default function PayAgain() {
  const { orderId } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as PayAgainActionData | undefined;
  if (result?.kind === "handoff") return <EcpayHandoff handoff={result.handoff} title="前往付款" />;
  return (
    <section className="mx-auto max-w-xl rounded-xl border border-stone-200 bg-white p-6">
      <h1 className="text-2xl font-bold">{result ? "目前無法前往付款" : "前往付款"}</h1>
      <p role={result ? "alert" : undefined} className="mt-3 text-stone-800">
        {result?.message ?? "請從訂單頁面按「重新付款」前往綠界。"}
      </p>
      <p className="mt-4">
        <Link to={`/orders/${orderId}`} className="text-brand-800 underline underline-offset-2">
          回到訂單頁面
        </Link>
      </p>
    </section>
  );
}
