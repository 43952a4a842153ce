/**
 * The local Amazon SES (API v2) stand-in: the npm package aws-ses-v2-local, which accepts SendEmail as SES does and
 * keeps every message in memory, shown on its web page (`/`) and as JSON (`/store`). It can be stopped and started
 * again on the same port, keeping its mailbox, which is how the tests take SES down and bring it back.
 */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import * as sesModule from "aws-ses-v2-local";

type StartSes = (config: { host: string; port: number }) => Promise<Server>;
// The package is CommonJS with an `exports.default`: bundlers (vitest) hand us the function as the default import,
// Node's own ESM loader (`node --import tsx`, as the local stack runs) hands us the module object around it.
const sesServer: StartSes = (() => {
  const outer = (sesModule as { default?: unknown }).default;
  const inner = (outer as { default?: unknown } | undefined)?.default;
  const start = typeof outer === "function" ? outer : inner;
  if (typeof start !== "function") throw new Error("aws-ses-v2-local: no server function exported");
  return start as StartSes;
})();

export interface LocalSes {
  url: string;
  port: number;
  /** Takes the stand-in off the network (sends fail with a connection error) without losing its mailbox. */
  stop(): Promise<void>;
  /** Brings it back on the same port. */
  start(): Promise<void>;
  close(): Promise<void>;
}

export async function startLocalSes(port: number): Promise<LocalSes> {
  let server: Server | undefined = await sesServer({ host: "127.0.0.1", port });
  const actualPort = (server.address() as AddressInfo).port;
  const stop = async () => {
    const s = server;
    server = undefined;
    if (!s) return;
    s.closeAllConnections?.();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  };
  return {
    url: `http://127.0.0.1:${actualPort}`,
    port: actualPort,
    stop,
    start: async () => {
      if (!server) server = await sesServer({ host: "127.0.0.1", port: actualPort });
    },
    close: stop,
  };
}

/** One message as the stand-in stores it (the fields the tests and tools read). */
export interface StoredMail {
  messageId: string;
  from: string;
  destination: { to: string[]; cc: string[]; bcc: string[] };
  subject: string;
  body: { text?: string; html?: string };
  at: number;
}

/** Everything the stand-in at `url` has received, oldest first. */
export async function readMailbox(url: string): Promise<StoredMail[]> {
  const response = await fetch(`${url}/store`);
  if (!response.ok) throw new Error(`SES stand-in answered ${response.status}`);
  return ((await response.json()) as { emails: StoredMail[] }).emails;
}
