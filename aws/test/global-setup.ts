/**
 * Starts one local stack (dynalite or DynamoDB Local, s3rver, ECPay sandbox, local HTTP API) on random ports for
 * the Node test project, and stops it afterwards. Set DYNAMODB_ENDPOINT to run against DynamoDB Local instead.
 */
import type { TestProject } from "vitest/node";
import { type LocalStack, startLocalStack } from "../local/stack";

export type ProvidedStack = Omit<LocalStack, "close">;

declare module "vitest" {
  export interface ProvidedContext {
    stack: ProvidedStack;
  }
}

export default async function setup(project: TestProject) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
  const stack = await startLocalStack({
    ports: { api: 0, ecpay: 0, dynamodb: 0, s3: 0 },
    ...(process.env.TEST_DYNAMODB_ENDPOINT ? { dynamodbEndpoint: process.env.TEST_DYNAMODB_ENDPOINT } : {}),
    ecpayRetryDelaysMs: [300, 600, 900, 1200],
    // The outbox worker sends the tests' emails within a few hundred ms.
    schedules: { intervalMs: 300, functions: ["OutboxWorkerFunction"] },
    mailRetryBaseMs: 300,
    // As staging allows its branch previews (storefront-origin.test.ts).
    allowedOrigins: ["https://*.taiwan-shop.pages.dev"],
  });
  const { close, ...urls } = stack;
  project.provide("stack", urls);
  return close;
}
