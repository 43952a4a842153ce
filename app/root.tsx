import type { HeadersFunction, LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import {
  Link,
  Links,
  Meta,
  Outlet,
  Scripts,
  ScrollRestoration,
  useMatches,
  useNavigation,
  useRouteLoaderData,
} from "@remix-run/react";
import type { ReactNode } from "react";
import { CartLink } from "./components/CartLink";
import { ErrorPage, errorCopy } from "./components/ErrorPage";
import enhanceScript from "./enhance.js?url";
import { useNonce } from "./lib/nonce";
import { pageScriptsOf } from "./lib/page-scripts";
import { loadShell } from "./lib/shell.server";
import { SHOP_NAME, SHOP_TAGLINE } from "./lib/shop";
import stylesheet from "./tailwind.css?url";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: stylesheet },
  { rel: "icon", href: "/favicon.svg", type: "image/svg+xml" },
];

export const meta: MetaFunction = ({ error }) => {
  if (error)
    return [{ title: `${errorCopy(error, "shop").title}｜${SHOP_NAME}` }, { name: "robots", content: "noindex" }];
  return [{ title: SHOP_NAME }, { name: "description", content: SHOP_TAGLINE }];
};

export const loader = ({ request, context }: LoaderFunctionArgs) => loadShell(context.cloudflare, request);

/** Lets the 503's Retry-After and no-store reach the document when the root loader throws. */
export const headers: HeadersFunction = ({ loaderHeaders, errorHeaders }) => errorHeaders ?? loaderHeaders;

export function Layout({ children }: { children: ReactNode }) {
  const nonce = useNonce();
  // Absent while rendering the error boundary for an error thrown by the root loader itself.
  const shell = useRouteLoaderData<typeof loader>("root");
  // What the matched routes declare in their `handle` (app/lib/page-scripts.ts): nothing, our small script, or Remix.
  const scripts = pageScriptsOf(useMatches().map((match) => match.handle));
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
                  <CartLink count={shell?.cartCount} />
                </li>
              </ul>
            </nav>
          </div>
          {scripts === "hydrate" ? <NavigationProgress /> : null}
        </header>
        <main id="main" className="mx-auto w-full max-w-6xl flex-1 px-4 py-8">
          {children}
        </main>
        <footer className="border-t border-stone-200 bg-white">
          <p className="mx-auto max-w-6xl px-4 py-6 text-sm text-stone-600">© {SHOP_NAME}・所有價格皆為新台幣含稅價</p>
        </footer>
        {scripts === "hydrate" ? (
          <>
            <ScrollRestoration nonce={nonce} />
            <Scripts nonce={nonce} />
          </>
        ) : scripts === "enhance" ? (
          <script type="module" src={enhanceScript} />
        ) : null}
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
  return <ErrorPage area="shop" />;
}
