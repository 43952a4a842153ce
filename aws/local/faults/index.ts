/**
 * Fault injection for the reliability tests and the benchmarks. Nothing here is imported by `aws/src` or by
 * `npm start`; a stack only injects faults when a test passes a plan in.
 *
 * - `FaultPlan`: make the next N invocations of a function fail before or after it ran (the local API's hooks).
 * - `startFaultProxy` (./proxy.ts): an HTTP proxy in front of dynalite or s3rver that counts requests and can answer
 *   the next N matching ones itself (DynamoDB throttling, an S3 outage…).
 */
import { resetClients } from "../../src/lib/clients";
import type { InvocationInfo, LocalApiFaults } from "../api-gateway";
import type { LocalStack } from "../stack";
import { dynamodbOperation, type FaultProxy, type FaultProxyOptions, s3Operation, startFaultProxy } from "./proxy";

export type { InvocationInfo, LocalApiFaults } from "../api-gateway";
export * from "./proxy";

interface PlannedFault {
  functionId: string;
  when: "before" | "after";
  remaining: number;
}

export interface InjectedFault extends InvocationInfo {
  when: "before" | "after";
  at: string;
}

/** A queue of function faults; pass it as `apiFaults` to `startLocalStack` (or `faults` to `startLocalApi`). */
export class FaultPlan implements LocalApiFaults {
  private readonly planned: PlannedFault[] = [];
  /** Every fault that was actually injected, in order. */
  readonly injected: InjectedFault[] = [];

  /**
   * The next `times` invocations of the function (logical id from the template, e.g. `CreateOrderFunction`) fail:
   * "before" the handler runs (no side effects), or "after" it returned (its writes are kept, the caller sees 500).
   */
  failNext(functionId: string, when: "before" | "after", times = 1): this {
    this.planned.push({ functionId, when, remaining: times });
    return this;
  }

  /** Forgets what is still planned (what was injected stays in `injected`). */
  clear(): void {
    this.planned.length = 0;
  }

  /** Faults planned but not injected yet. */
  pending(): number {
    return this.planned.reduce((sum, fault) => sum + fault.remaining, 0);
  }

  beforeInvoke(call: InvocationInfo): "fail" | undefined {
    return this.take(call, "before");
  }

  afterInvoke(call: InvocationInfo): "fail" | undefined {
    return this.take(call, "after");
  }

  private take(call: InvocationInfo, when: "before" | "after"): "fail" | undefined {
    const fault = this.planned.find((f) => f.functionId === call.functionId && f.when === when && f.remaining > 0);
    if (!fault) return undefined;
    fault.remaining -= 1;
    if (fault.remaining === 0) this.planned.splice(this.planned.indexOf(fault), 1);
    this.injected.push({ ...call, when, at: new Date().toISOString() });
    return "fail";
  }
}

/**
 * Puts a counting/fault proxy in front of the DynamoDB and S3 endpoints the functions of an in-process stack use
 * (the stack's own `dynamodbEndpoint`/`s3Endpoint` stay direct, so tests can count items without going through
 * the faults). Only works in the process that started the stack: the functions read their endpoints there.
 */
export async function routeStackThrough(
  stack: Pick<LocalStack, "dynamodbEndpoint" | "s3Endpoint">,
  options: { dynamodb?: Omit<FaultProxyOptions, "target">; s3?: Omit<FaultProxyOptions, "target"> } = {},
): Promise<{ dynamodb: FaultProxy; s3: FaultProxy; close(): Promise<void> }> {
  const dynamodb = await startFaultProxy({
    classify: dynamodbOperation,
    ...options.dynamodb,
    target: stack.dynamodbEndpoint,
  });
  const s3 = await startFaultProxy({ classify: s3Operation, ...options.s3, target: stack.s3Endpoint });
  const previous = { dynamodb: process.env.DYNAMODB_ENDPOINT, s3: process.env.S3_ENDPOINT };
  process.env.DYNAMODB_ENDPOINT = dynamodb.url;
  process.env.S3_ENDPOINT = s3.url;
  resetClients();
  return {
    dynamodb,
    s3,
    close: async () => {
      process.env.DYNAMODB_ENDPOINT = previous.dynamodb;
      process.env.S3_ENDPOINT = previous.s3;
      resetClients();
      await Promise.all([dynamodb.close(), s3.close()]);
    },
  };
}
