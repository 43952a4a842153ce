/**
 * The one getLoadContext, shared by `vite dev` (cloudflareDevProxyVitePlugin) and production
 * (functions/[[path]].ts) so both environments give loaders the same, validated context.
 *
 * It also hands every request the isolate's one IsolateState (./shared-read.ts), made here. In production this module
 * is part of the Pages Function's bundle only; the Function's edge page cache and Remix's loaders (a bundle of its
 * own, with its own copy of the adapters) so keep the reads under way and the content's bookkeeping in one place:
 * a page-cache view and a Remix render that want the same key at the same moment share one S3 read.
 *
 * Typed structurally rather than with workerd's global types because vite.config.ts (checked by the Node
 * tsconfig) imports this file; the edge-side shape lives in ./context.ts.
 */
import { type Env, EnvValidationError, parseEnv } from "./env";
import { IsolateState } from "./shared-read";

interface PlatformContext<Cf, Ctx> {
  cloudflare: {
    env: unknown;
    cf?: Cf;
    ctx: Ctx;
  };
}

// A type alias, not an interface: Remix's AppLoadContext has an index signature that interfaces do not satisfy.
type LoadContextOf<Cf, Ctx> = {
  cloudflare: { env: Env; cf?: Cf; ctx: Ctx; isolate: IsolateState };
};

/** This isolate's: made once, when the module is first evaluated. */
const isolate = new IsolateState();

export function getLoadContext<
  Cf,
  Ctx extends { waitUntil(promise: Promise<unknown>): void; passThroughOnException(): void },
>({ context }: { request: Request; context: PlatformContext<Cf, Ctx> }): LoadContextOf<Cf, Ctx> {
  const { env: rawEnv, cf, ctx } = context.cloudflare;
  let env: Env;
  try {
    env = parseEnv(rawEnv);
  } catch (error) {
    // The Pages adapter turns this into a bare 500 without logging it in production; say why here.
    if (error instanceof EnvValidationError) console.error(error.message);
    throw error;
  }
  // Loaders get the validated, typed env only, never the raw bindings, so nothing reads an unchecked value.
  return { cloudflare: { env, cf, ctx, isolate } };
}
