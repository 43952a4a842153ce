import type { ActionFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Link, useActionData } from "@remix-run/react";
import type { PageHandle } from "../lib/page-scripts";
import { type StoreMapData, startStoreMap } from "../lib/pickup.server";
import { privateRouteHeaders } from "../lib/private-headers";
import { pageMeta } from "../lib/seo";

export const meta: MetaFunction = ({ matches }) =>
  pageMeta(matches, { title: "選擇取貨門市", description: "前往綠界選擇超商門市。" });
/** The small script submits the hand-off by itself; without it the shopper presses the button. */
export const handle: PageHandle = { scripts: "enhance" };
export const headers = privateRouteHeaders("shopper");

/** Runs after the action too (rendering its answer), so it must not redirect; a plain GET shows the way back. */
export const loader = () => null;
export const action = ({ request, context }: ActionFunctionArgs) => startStoreMap(context.cloudflare, request);

export default function StoreMapHandoff() {
  const map = useActionData<typeof action>() as StoreMapData | undefined;
  if (!map) {
    return (
      <p className="mx-auto max-w-xl">
        <Link to="/checkout" className="font-medium text-brand-800 underline underline-offset-4">
          回到結帳
        </Link>
      </p>
    );
  }
  return (
    <section aria-labelledby="map-title" className="mx-auto max-w-xl rounded-xl border border-stone-200 bg-white p-6">
      <h1 id="map-title" className="text-2xl font-bold">
        選擇取貨門市
      </h1>
      <p className="mt-3 text-stone-800">
        請按下方按鈕，到綠界的超商門市地圖選擇取貨門市；選好後會回到結帳頁面，您填的資料都會保留。
      </p>
      <form
        method="post"
        action={map.action}
        acceptCharset="UTF-8"
        data-autosubmit={`map:${map.fields.ExtraData ?? ""}`}
        className="mt-6"
      >
        {Object.entries(map.fields).map(([name, value]) => (
          <input key={name} type="hidden" name={name} value={value} />
        ))}
        <button
          type="submit"
          className="w-full rounded-lg bg-brand-700 px-4 py-3 text-lg font-semibold text-white hover:bg-brand-800 focus:outline-none focus-visible:ring-2 focus-visible:ring-brand-600 focus-visible:ring-offset-2"
        >
          前往選擇門市
        </button>
      </form>
      <p className="mt-4 text-center text-sm">
        <Link to="/checkout" className="text-brand-800 underline underline-offset-2">
          回到結帳
        </Link>
      </p>
    </section>
  );
}
