/**
 * Where the storefront's worker spends its CPU on one page: starts the local stack and the production build under
 * `wrangler pages dev` with an inspector port, warms the page, records a V8 CPU profile of workerd (Chrome DevTools
 * protocol) while a bounded load runs against 127.0.0.1, and prints the heaviest frames (inclusive and self) and a
 * summary by area. Evidence for docs/performance.md; not part of `npm run bench`.
 *
 *   npx remix vite:build   # if ./build is not current (NODE_ENV=production)
 *   npx tsx bench/profile-worker.ts [path=/] [requests=600]
 *
 * Talks to workerd's inspector with the `ws` package that wrangler's miniflare brings along (Node 20's experimental
 * WebSocket does not complete the handshake with workerd).
 */
import { createRequire } from "node:module";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { startLocalStack } from "../aws/local/stack";
import { freePort, startGroup, stopGroup, waitForHttp } from "../scripts/lib/processes";
import { storefrontVars } from "../scripts/lib/storefront";
import { httpLoad } from "./http-load";

interface CdpSocket {
  send(data: string): void;
  close(): void;
  on(type: "message", listener: (data: unknown) => void): void;
  once(type: "open", listener: () => void): void;
}
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

const AREAS: [string, RegExp][] = [
  ["React server render (renderToReadableStream)", /renderToReadableStream/],
  ["Remix route matching (matchRoutes)", /^matchRoutes/],
  ["edge content cache read (readCached, incl. parse)", /^readCached$/],
  ["content parse + zod validation (parseContent)", /^parseContent$/],
  ["loader data serialisation (encodeViaTurboStream)", /^encodeViaTurboStream$/],
  ["wrangler dev middleware (__facade_invoke__)", /^__facade_invoke__$/],
];

const page = process.argv[2] ?? "/";
const requests = Number(process.argv[3] ?? 600);
const WebSocketCtor = createRequire(import.meta.url)("ws") as new (url: string) => CdpSocket;

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
const stack = await startLocalStack({ ports: { api: 0, ecpay: 0, dynamodb: 0, s3: 0 } });
const port = await freePort();
const inspector = await freePort();
const url = `http://127.0.0.1:${port}`;
const persistTo = await mkdtemp(path.join(tmpdir(), "shop-profile-"));
const vars = { ...(await storefrontVars(stack, url, "profile-owner-password")), CACHE_TTL_SECONDS: "60" };
const args = ["wrangler", "pages", "dev", "./build/client", "--port", String(port), "--ip", "127.0.0.1"];
args.push("--inspector-port", String(inspector), "--persist-to", persistTo);
for (const [k, v] of Object.entries(vars)) args.push("--binding", `${k}=${v}`);
const child = startGroup("npx", args, { quiet: true, env: { NODE_ENV: "production" } });
const cleanUp = async () => {
  await stopGroup(child);
  await stack.close();
  await rm(persistTo, { recursive: true, force: true });
};
for (const signal of ["SIGINT", "SIGTERM"] as const)
  process.once(signal, () => void cleanUp().then(() => process.exit(130)));
try {
  if (!(await waitForHttp(`${url}/healthz`, 90_000))) throw new Error("the storefront did not come up");
  await httpLoad({ url: url + page, total: 300, concurrency: 8 });
  const targets = (await (await fetch(`http://127.0.0.1:${inspector}/json`)).json()) as {
    webSocketDebuggerUrl: string;
  }[];
  const socket = new WebSocketCtor(targets[0]!.webSocketDebuggerUrl);
  await new Promise<void>((resolve, reject) => {
    socket.once("open", () => resolve());
    setTimeout(() => reject(new Error("inspector: could not connect")), 10_000);
  });
  let nextId = 0;
  const waiting = new Map<number, (value: any) => void>();
  socket.on("message", (data) => {
    const message = JSON.parse(String(data));
    waiting.get(message.id)?.(message.result);
    waiting.delete(message.id);
  });
  const send = (method: string, params: object = {}) =>
    new Promise<any>((resolve, reject) => {
      const id = ++nextId;
      const timer = setTimeout(() => reject(new Error(`inspector: no answer to ${method}`)), 30_000);
      waiting.set(id, (value) => {
        clearTimeout(timer);
        resolve(value);
      });
      socket.send(JSON.stringify({ id, method, params }));
    });
  await send("Profiler.enable");
  await send("Profiler.setSamplingInterval", { interval: 200 });
  await send("Profiler.start");
  const load = await httpLoad({ url: url + page, total: requests, concurrency: 8, maxSeconds: 60 });
  const { profile } = await send("Profiler.stop");
  socket.close();

  const nodes = new Map<number, ProfileNode>(profile.nodes.map((n: ProfileNode) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes as ProfileNode[]) for (const c of n.children ?? []) parent.set(c, n.id);
  const name = (n: ProfileNode) => n.callFrame.functionName || "(anonymous)";
  const label = (n: ProfileNode) => `${name(n)} ${n.callFrame.url.split("/").pop()}:${n.callFrame.lineNumber}`;
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const areas = new Map<string, number>();
  let all = 0;
  (profile.samples as number[]).forEach((id, i) => {
    const dt = (profile.timeDeltas as number[])[i] ?? 0;
    all += dt;
    const leaf = nodes.get(id)!;
    self.set(label(leaf), (self.get(label(leaf)) ?? 0) + dt);
    const seenLabels = new Set<string>();
    const seenAreas = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const n = nodes.get(cur)!;
      if (!seenLabels.has(label(n))) inclusive.set(label(n), (inclusive.get(label(n)) ?? 0) + dt);
      seenLabels.add(label(n));
      for (const [area, pattern] of AREAS) {
        if (pattern.test(name(n)) && !seenAreas.has(area)) {
          areas.set(area, (areas.get(area) ?? 0) + dt);
          seenAreas.add(area);
        }
      }
    }
  });
  const idle = [...self].filter(([k]) => k.startsWith("(idle)")).reduce((a, [, t]) => a + t, 0);
  const pct = (t: number) => `${((t / all) * 100).toFixed(1).padStart(5)} %`;
  console.log(
    `${page}: ${load.requests} requests, ${load.perSecond} req/s, p50 ${load.p50Ms} ms, p99 ${load.p99Ms} ms`,
  );
  console.log(
    `profile: ${(all / 1000).toFixed(0)} ms sampled, ${pct(idle)} idle (waiting on I/O)\n\nby area (inclusive, overlapping):`,
  );
  for (const [area] of AREAS) console.log(`${pct(areas.get(area) ?? 0)}  ${area}`);
  console.log("\nheaviest frames, inclusive:");
  for (const [k, t] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(1, 31)) console.log(`${pct(t)}  ${k}`);
  console.log("\nheaviest frames, self:");
  for (const [k, t] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 20)) console.log(`${pct(t)}  ${k}`);
} finally {
  await cleanUp();
}
