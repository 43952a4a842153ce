/**
 * Child processes for the local shop: each in its own process group (wrangler and vite start esbuild and workerd
 * children that would otherwise outlive them), stopped as a group.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** wrangler reports usage and looks up Cloudflare data unless told not to; this machine talks only to loopback. */
export const QUIET_WRANGLER_ENV = {
  WRANGLER_SEND_METRICS: "false",
  WRANGLER_HIDE_BANNER: "true",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  NO_UPDATE_NOTIFIER: "1",
};

export function startGroup(
  command: string,
  args: string[],
  options: { env?: Record<string, string>; quiet?: boolean } = {},
): ChildProcess {
  return spawn(command, args, {
    cwd: repoRoot,
    env: { ...process.env, ...QUIET_WRANGLER_ENV, ...options.env },
    // Quiet: the output goes nowhere. Not to a pipe nobody reads: once it fills, the child's next write blocks, and a
    // storefront logging its errors under load froze (wrangler and workerd stuck in write(), every request hanging).
    stdio: options.quiet ? "ignore" : "inherit",
    detached: true,
  });
}

export function exited(child: ChildProcess): Promise<number> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once("exit", (code) => resolve(code ?? 1)));
}

export async function stopGroup(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return;
  const pid = child.pid;
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pid, sig);
    } catch {}
  };
  signal("SIGTERM");
  const done = await Promise.race([exited(child).then(() => true), new Promise((r) => setTimeout(() => r(false), graceMs))]);
  if (!done) signal("SIGKILL");
  // Orphans (workerd) may still hold the group; make sure nothing of it survives.
  signal("SIGKILL");
}

export async function run(command: string, args: string[], env: Record<string, string> = {}): Promise<void> {
  const code = await exited(startGroup(command, args, { env }));
  if (code !== 0) throw new Error(`${command} ${args.join(" ")} failed with exit code ${code}`);
}

export async function waitForHttp(url: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      return true;
    } catch {}
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
