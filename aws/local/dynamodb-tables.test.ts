import type { AddressInfo } from "node:net";
import { DescribeTableCommand, DynamoDBClient, PutItemCommand, QueryCommand } from "@aws-sdk/client-dynamodb";
import dynalite from "dynalite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureTables } from "./dynamodb-tables";

const region = "ap-northeast-1";
let server: ReturnType<typeof dynalite>;
let endpoint: string;
let client: DynamoDBClient;

beforeAll(async () => {
  server = dynalite({ createTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  client = new DynamoDBClient({ endpoint, region, credentials: { accessKeyId: "local", secretAccessKey: "local" } });
});

afterAll(async () => {
  client?.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe("ensureTables (dynalite)", () => {
  it("creates the orders table exactly as aws/template.yaml declares it", async () => {
    const ensured = await ensureTables({ endpoint, region, parameters: { Env: "local" } });
    expect(ensured).toEqual([{ logicalId: "OrdersTable", tableName: "shop-local-orders", created: true }]);

    const { Table } = await client.send(new DescribeTableCommand({ TableName: "shop-local-orders" }));
    expect(Table?.TableStatus).toBe("ACTIVE");
    expect(Table?.KeySchema).toEqual([
      { AttributeName: "ordertype", KeyType: "HASH" },
      { AttributeName: "idsk", KeyType: "RANGE" },
    ]);
    expect(Table?.AttributeDefinitions).toEqual(
      expect.arrayContaining([
        { AttributeName: "ordertype", AttributeType: "S" },
        { AttributeName: "idsk", AttributeType: "N" },
        { AttributeName: "phone", AttributeType: "S" },
        { AttributeName: "outboxQueue", AttributeType: "S" },
        { AttributeName: "outboxDue", AttributeType: "N" },
      ]),
    );
    expect(Table?.AttributeDefinitions).toHaveLength(5);
    expect(Table?.BillingModeSummary?.BillingMode).toBe("PAY_PER_REQUEST");
    expect(
      Table?.LocalSecondaryIndexes?.map((i) => ({ name: i.IndexName, keys: i.KeySchema, projection: i.Projection })),
    ).toEqual([
      {
        name: "lsi-phone",
        keys: [
          { AttributeName: "ordertype", KeyType: "HASH" },
          { AttributeName: "phone", KeyType: "RANGE" },
        ],
        projection: { ProjectionType: "ALL" },
      },
    ]);
    expect(
      Table?.GlobalSecondaryIndexes?.map((i) => ({ name: i.IndexName, keys: i.KeySchema, projection: i.Projection })),
    ).toEqual([
      {
        name: "gsi-outbox",
        keys: [
          { AttributeName: "outboxQueue", KeyType: "HASH" },
          { AttributeName: "outboxDue", KeyType: "RANGE" },
        ],
        projection: { ProjectionType: "KEYS_ONLY" },
      },
    ]);
  });

  it("is idempotent: a second call finds the table and creates nothing", async () => {
    const ensured = await ensureTables({ endpoint, region, parameters: { Env: "local" } });
    expect(ensured).toEqual([{ logicalId: "OrdersTable", tableName: "shop-local-orders", created: false }]);
  });

  it("names tables by the Env parameter", async () => {
    const ensured = await ensureTables({ endpoint, region, parameters: { Env: "test" } });
    expect(ensured[0]?.tableName).toBe("shop-test-orders");
  });

  it("gives a table the LSI can query by phone within a month partition", async () => {
    const put = (idsk: number, phone: string) =>
      client.send(
        new PutItemCommand({
          TableName: "shop-local-orders",
          Item: { ordertype: { S: "order#202611" }, idsk: { N: String(idsk) }, phone: { S: phone } },
        }),
      );
    await put(2704831, "0912345678");
    await put(2712345, "0987654321");
    const result = await client.send(
      new QueryCommand({
        TableName: "shop-local-orders",
        IndexName: "lsi-phone",
        KeyConditionExpression: "ordertype = :m AND phone = :p",
        ExpressionAttributeValues: { ":m": { S: "order#202611" }, ":p": { S: "0912345678" } },
      }),
    );
    expect(result.Items?.map((item) => item.idsk?.N)).toEqual(["2704831"]);
  });
});
