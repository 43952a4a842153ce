import { cloudflareDevProxyVitePlugin, vitePlugin as remix } from "@remix-run/dev";
import tailwindcss from "@tailwindcss/vite";
import { defineConfig } from "vite";
import { getLoadContext } from "./worker/load-context";

export default defineConfig({
  plugins: [
    // Same getLoadContext as functions/[[path]].ts, so `vite dev` sees the validated env production sees.
    cloudflareDevProxyVitePlugin({ getLoadContext }),
    remix({
      future: {
        v3_fetcherPersist: true,
        v3_relativeSplatPath: true,
        v3_throwAbortReason: true,
        v3_singleFetch: true,
        v3_lazyRouteDiscovery: true,
        // v3_routeConfig needs @remix-run/route-config and @remix-run/fs-routes, which are not installed.
      },
    }),
    tailwindcss(),
  ],
  server: { host: "127.0.0.1" },
});
