import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { createLogCapture } from "./lambda-runtime";
import { type LocalScheduler, rateMs, scheduledEvent, startScheduler } from "./scheduler";
import { createResolveContext, loadTemplateSync } from "./template";

const template = loadTemplateSync(fileURLToPath(new URL("./fixtures/scheduled/template.yaml", import.meta.url)));
const ctx = createResolveContext(template, {
  parameters: { Env: "test" },
  region: "ap-northeast-1",
  accountId: "123456789012",
});
let scheduler: LocalScheduler | undefined;

afterEach(async () => {
  await scheduler?.stop();
  scheduler = undefined;
});

describe("schedule expressions", () => {
  it("reads EventBridge rate expressions and refuses what it does not emulate", () => {
    expect(rateMs("rate(10 minutes)")).toBe(600_000);
    expect(rateMs("rate(1 minute)")).toBe(60_000);
    expect(rateMs("rate(2 hours)")).toBe(7_200_000);
    expect(rateMs("rate(1 day)")).toBe(86_400_000);
    expect(() => rateMs("rate(1 minutes)")).toThrow(/rate\(1 minute\)/);
    expect(() => rateMs("cron(0/10 * * * ? *)")).toThrow(/only rate/);
  });

  it("builds the event an EventBridge schedule rule sends", () => {
    const event = scheduledEvent({
      region: "ap-northeast-1",
      accountId: "123456789012",
      ruleArn: "arn:aws:events:ap-northeast-1:123456789012:rule/r",
      time: new Date("2026-11-27T10:00:00.123Z"),
    });
    expect(event).toEqual({
      version: "0",
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      "detail-type": "Scheduled Event",
      source: "aws.events",
      account: "123456789012",
      time: "2026-11-27T10:00:00Z",
      region: "ap-northeast-1",
      resources: ["arn:aws:events:ap-northeast-1:123456789012:rule/r"],
      detail: {},
    });
  });
});

describe("the local scheduler", () => {
  it("runs a scheduled function with its environment, a Lambda context and the rule's scheduled event", async () => {
    const logs = createLogCapture();
    scheduler = startScheduler({ template, ctx, logs, intervalMs: 0 });
    expect(scheduler.schedules.map((s) => [s.functionName, s.ruleArn, s.everyMs])).toEqual([
      ["fixture-test-echo", "arn:aws:events:ap-northeast-1:123456789012:rule/fixture-test-echo", 300_000],
      // No Name: CloudFormation would generate one starting with the logical ids.
      ["fixture-test-slow", "arn:aws:events:ap-northeast-1:123456789012:rule/SlowFunctionHourly", 3_600_000],
    ]);
    const run = await scheduler.invoke("EchoFunction");
    expect(run.outcome).toBe("ok");
    const result = run.result as {
      event: { resources: string[]; "detail-type": string };
      functionName: string;
      remainingMs: number;
      greeting: string;
      env: string;
    };
    expect(result.event["detail-type"]).toBe("Scheduled Event");
    expect(result.event.resources).toEqual(["arn:aws:events:ap-northeast-1:123456789012:rule/fixture-test-echo"]);
    expect(result).toMatchObject({ functionName: "fixture-test-echo", greeting: "hello", env: "test" });
    expect(result.remainingMs).toBeGreaterThan(1_000);
    expect(result.remainingMs).toBeLessThanOrEqual(2_000);
    expect(logs.lines("fixture-test-echo").map((l) => [l.requestId, l.json?.message])).toEqual([
      [run.requestId, "echo ran"],
    ]);
    // By FunctionName too, with a given event.
    const given = scheduledEvent({ region: "ap-northeast-1", accountId: "123456789012", ruleArn: "arn:x" });
    expect(((await scheduler.invoke("fixture-test-echo", given)).result as { event: unknown }).event).toEqual(given);
  });

  it("reports a run past the function's Timeout as a timeout, and a disabled schedule is not there", async () => {
    scheduler = startScheduler({ template, ctx, intervalMs: 0 });
    const run = await scheduler.invoke("SlowFunction");
    expect(run.outcome).toBe("timeout");
    expect(run.durationMs).toBeGreaterThanOrEqual(1_000);
    await expect(scheduler.invoke("DisabledFunction")).rejects.toThrow(/no scheduled function/);
  });

  it("runs each schedule on the local interval, never two runs of one function at once", async () => {
    const logs = createLogCapture();
    const lines: string[] = [];
    scheduler = startScheduler({ template, ctx, logs, intervalMs: 100, log: (line) => lines.push(line) });
    await new Promise((resolve) => setTimeout(resolve, 550));
    await scheduler.stop();
    // The echo function ran on (about) every tick…
    expect(logs.lines("fixture-test-echo").length).toBeGreaterThanOrEqual(3);
    // …while the slow one (1.5 s, cut at its 1 s timeout) had its later ticks skipped, not stacked.
    expect(
      lines.filter((line) => line.includes("SlowFunctionHourly: the previous run is still going")).length,
    ).toBeGreaterThanOrEqual(3);
    expect(lines.filter((line) => line.includes("→ fixture-test-slow timeout")).length).toBe(1);
  });
});
