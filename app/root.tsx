import type { HeadersFunction, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import {
  isRouteErrorResponse,
  Link,
  Links,
  Meta,
  Outlet,
  Scripts,
  ScrollRestoration,
  useNavigation,
  useRouteError,
  useRouteLoaderData,
} from "@remix-run/react";
import type { ReactNode } from "react";
import { useNonce } from "./lib/nonce";
import { DEFAULT_CLOSED_MESSAGE, type ServiceUnavailableData, SHOP_NAME, SHOP_TAGLINE } from "./lib/shop";
import { loadShell } from "./lib/storefront.server";
import stylesheet from "./tailwind.css?url";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: stylesheet },
  { rel: "icon", href: "/favicon.svg", type: "image/svg+xml" },
];

export const meta: MetaFunction = ({ error }) => {
  if (error) return [{ title: `${errorCopy(error).title}｜${SHOP_NAME}` }, { name: "robots", content: "noindex" }];
  return [{ title: SHOP_NAME }, { name: "description", content: SHOP_TAGLINE }];
};

export const loader = ({ request, context }: LoaderFunctionArgs) => loadShell(context.cloudflare, request);

/** Lets the 503's Retry-After and no-store reach the document when the root loader throws. */
export const headers: HeadersFunction = ({ loaderHeaders, errorHeaders }) => errorHeaders ?? loaderHeaders;

export function Layout({ children }: { children: ReactNode }) {
  const nonce = useNonce();
  // Absent while rendering the error boundary for an error thrown by the root loader itself.
  const shell = useRouteLoaderData<typeof loader>("root");
  return (
    <html lang="zh-Hant-TW">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="theme-color" content="#0f766e" />
        <Meta />
        <Links />
      </head>
      <body className="flex min-h-dvh flex-col bg-stone-50 font-sans text-stone-900 antialiased">
        <a
          href="#main"
          className="sr-only focus:not-sr-only focus:absolute focus:left-4 focus:top-4 focus:z-50 focus:rounded focus:bg-white focus:px-4 focus:py-2 focus:shadow"
        >
          跳到主要內容
        </a>
        {shell?.announcement ? (
          <aside aria-label="商店公告" className="bg-brand-700 px-4 py-2 text-center text-sm text-white">
            {shell.announcement}
          </aside>
        ) : null}
        <header className="border-b border-stone-200 bg-white">
          <div className="mx-auto flex max-w-6xl items-center justify-between gap-4 px-4 py-4">
            <Link to="/" className="text-xl font-bold tracking-wide text-brand-800 hover:text-brand-700">
              {SHOP_NAME}
            </Link>
            <nav aria-label="主要">
              <ul className="flex items-center gap-4 text-sm font-medium sm:gap-6 sm:text-base">
                <li>
                  <Link to="/orders" className="text-stone-800 hover:text-brand-800 hover:underline">
                    查詢訂單
                  </Link>
                </li>
                <li>
                  <Link
                    to="/cart"
                    aria-label={shell ? `購物車，${shell.cartCount} 件商品` : "購物車"}
                    className="inline-flex items-center gap-1.5 rounded-full border border-brand-700 px-3 py-1.5 text-brand-800 hover:bg-brand-50"
                  >
                    購物車
                    {shell ? (
                      <span className="min-w-6 rounded-full bg-brand-700 px-1.5 text-center text-sm font-semibold text-white">
                        {shell.cartCount}
                      </span>
                    ) : null}
                  </Link>
                </li>
              </ul>
            </nav>
          </div>
          <NavigationProgress />
        </header>
        <main id="main" className="mx-auto w-full max-w-6xl flex-1 px-4 py-8">
          {children}
        </main>
        <footer className="border-t border-stone-200 bg-white">
          <p className="mx-auto max-w-6xl px-4 py-6 text-sm text-stone-600">© {SHOP_NAME}・所有價格皆為新台幣含稅價</p>
        </footer>
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
      </body>
    </html>
  );
}

/** A thin bar while a client-side navigation or form submission is in flight (JavaScript only). */
function NavigationProgress() {
  const navigation = useNavigation();
  const busy = navigation.state !== "idle";
  return (
    <div aria-hidden="true" className="h-0.5 overflow-hidden">
      <div
        className={`h-full bg-brand-600 transition-all duration-500 ease-out ${busy ? "w-2/3 opacity-100" : "w-0 opacity-0"}`}
      />
    </div>
  );
}

export default function App() {
  return <Outlet />;
}

export function ErrorBoundary() {
  const error = useRouteError();
  const { title, message } = errorCopy(error);
  // Details help while developing; in production Remix already strips them before they reach the browser.
  const detail = import.meta.env.DEV && error instanceof Error ? error.stack : undefined;
  return (
    <section aria-labelledby="error-title" className="mx-auto max-w-xl py-12 text-center">
      <h1 id="error-title" className="text-2xl font-bold text-stone-900">
        {title}
      </h1>
      <p className="mt-4 whitespace-pre-line text-stone-700">{message}</p>
      <p className="mt-8">
        <Link
          to="/"
          className="font-medium text-brand-800 underline underline-offset-4 hover:text-brand-700"
          reloadDocument
        >
          回到首頁
        </Link>
      </p>
      {detail ? (
        <pre className="mt-8 overflow-x-auto rounded bg-stone-100 p-4 text-left text-xs text-stone-700">{detail}</pre>
      ) : null}
    </section>
  );
}

function errorCopy(error: unknown): { title: string; message: string } {
  if (isRouteErrorResponse(error)) {
    if (error.status === 503) {
      const reason = error.data as ServiceUnavailableData | undefined;
      if (reason?.reason === "closed") return { title: "暫停營業", message: reason.message || DEFAULT_CLOSED_MESSAGE };
      return { title: "暫時無法提供服務", message: "網站暫時無法提供服務，請稍後再試。造成不便，敬請見諒。" };
    }
    if (error.status === 404) return { title: "找不到這個頁面", message: "網址可能有誤，或這個頁面已經移除。" };
  }
  return { title: "發生錯誤", message: "很抱歉，系統發生問題，請稍後再試。" };
}
