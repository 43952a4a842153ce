import { logger } from "../lib/logger";
import { runOutbox } from "../services/outbox";

/** Scheduled (EventBridge, every minute): sends queued emails, looks after stock holds. */
export const handler = async (): Promise<{ ok: true } & Awaited<ReturnType<typeof runOutbox>>> => {
  const result = await runOutbox();
  if (result.items > 0) logger.info("outbox run", { ...result });
  return { ok: true, ...result };
};
