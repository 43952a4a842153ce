import { afterEach, describe, expect, it, vi } from "vitest";
import { addLogContext, logger, withLogContext } from "./logger";
import { emfDocument, putMetric } from "./metrics";

function capture(run: () => void): Record<string, unknown>[] {
  const written: string[] = [];
  const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  try {
    run();
  } finally {
    spy.mockRestore();
  }
  return written
    .join("")
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

afterEach(() => {
  delete process.env.AWS_LAMBDA_LOG_LEVEL;
});

describe("logger", () => {
  it("writes one JSON object per line with the invocation's request id, route and order id", () => {
    const [line] = capture(() =>
      withLogContext({ requestId: "r-1", route: "POST /order" }, () => {
        addLogContext({ orderId: "261127-00001" });
        logger.info("order created", { outcome: "created", total: 450 });
      }),
    );
    expect(line).toMatchObject({
      level: "INFO",
      requestId: "r-1",
      route: "POST /order",
      orderId: "261127-00001",
      message: "order created",
      outcome: "created",
      total: 450,
    });
    expect(Object.keys(line as object).slice(0, 3)).toEqual(["timestamp", "level", "requestId"]);
  });

  it("replaces personal data under any key that names it, at any depth, and keeps errors readable", () => {
    const [line] = capture(() =>
      logger.error("failed", {
        order: { id: "261127-00001", customer: { name: "王小明", phone: "0912345678" } },
        phone: "0912345678",
        error: new TypeError("boom"),
      }),
    );
    expect(line).toMatchObject({
      order: { id: "261127-00001", customer: "[redacted]" },
      phone: "[redacted]",
      error: { name: "TypeError", message: "boom" },
    });
    expect(JSON.stringify(line)).not.toContain("0912345678");
  });

  it("keeps only lines at or above AWS_LAMBDA_LOG_LEVEL (INFO when unset), while remembering the outcome", () => {
    expect(capture(() => logger.debug("hidden")).length).toBe(0);
    process.env.AWS_LAMBDA_LOG_LEVEL = "WARN";
    const seen = capture(() =>
      withLogContext({ requestId: "r-2" }, () => {
        logger.info("not kept", { outcome: "paid" });
        logger.warn("kept");
      }),
    );
    expect(seen.map((l) => l.message)).toEqual(["kept"]);
    expect(seen[0]?.outcome).toBe("paid");
  });
});

describe("metrics (EMF)", () => {
  it("emits the Env total and the breakdown, with the value under the metric's name", () => {
    process.env.AWS_LAMBDA_LOG_LEVEL = "INFO";
    const doc = emfDocument("OrdersCreated", 1, { PaymentMethod: "atm" }, "Count", new Date(1_700_000_000_000));
    expect(doc).toMatchObject({
      _aws: {
        Timestamp: 1_700_000_000_000,
        CloudWatchMetrics: [
          {
            Namespace: "Shop",
            Dimensions: [["Env"], ["Env", "PaymentMethod"]],
            Metrics: [{ Name: "OrdersCreated", Unit: "Count" }],
          },
        ],
      },
      PaymentMethod: "atm",
      OrdersCreated: 1,
      level: "INFO",
    });
  });

  it("carries the lowest level Lambda keeps, so a strict log level never drops a metric", () => {
    process.env.AWS_LAMBDA_LOG_LEVEL = "ERROR";
    const [line] = capture(() => putMetric("ReconcilerRuns"));
    expect(line).toMatchObject({ level: "ERROR", ReconcilerRuns: 1 });
  });
});
