import { scheduledHandler } from "../lib/scheduled";
import { reconcilePass } from "../services/reconciler";

/** EventBridge schedule (aws/template.yaml, ReconcileSchedule): one reconciler pass; answers its summary. */
export const handler = scheduledHandler("reconciler", (_event, context) =>
  reconcilePass({ remainingMs: () => context.getRemainingTimeInMillis() }),
);
