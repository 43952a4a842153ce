/**
 * Creates the template's DynamoDB tables in a local DynamoDB (dynalite, or DynamoDB Local) exactly as declared:
 * attribute definitions, key schema, local and global secondary indexes, billing mode. The table definitions are
 * read from aws/template.yaml so local data has the deployed shape.
 */
import {
  type AttributeDefinition,
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  DynamoDBClient,
  type GlobalSecondaryIndex,
  type KeySchemaElement,
  type LocalSecondaryIndex,
  ResourceNotFoundException,
  type TableDescription,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from "@aws-sdk/client-dynamodb";
import { createResolveContext, DEFAULT_TEMPLATE_PATH, loadTemplate, resolveValue } from "./template";

export interface EnsureTablesOptions {
  endpoint: string;
  region?: string;
  templatePath?: string;
  /** Template parameters; Env defaults to "local". */
  parameters?: Record<string, string>;
  /** Local emulators accept any key; DynamoDB Local wants letters and digits only. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Seconds to wait for a new table to become ACTIVE. */
  maxWaitSeconds?: number;
}

export interface EnsuredTable {
  logicalId: string;
  tableName: string;
  created: boolean;
}

type TableProperties = {
  TableName: string;
  AttributeDefinitions: AttributeDefinition[];
  KeySchema: KeySchemaElement[];
  LocalSecondaryIndexes?: LocalSecondaryIndex[];
  GlobalSecondaryIndexes?: GlobalSecondaryIndex[];
  BillingMode?: "PAY_PER_REQUEST" | "PROVISIONED";
  ProvisionedThroughput?: { ReadCapacityUnits: number; WriteCapacityUnits: number };
  TimeToLiveSpecification?: { AttributeName: string; Enabled: boolean };
};

/** Local stand-in throughput for PROVISIONED tables that declare none (CloudFormation would reject that anyway). */
const LOCAL_THROUGHPUT = { ReadCapacityUnits: 5, WriteCapacityUnits: 5 };

function createTableInput(table: TableProperties): CreateTableCommandInput {
  const provisioned = table.BillingMode !== "PAY_PER_REQUEST";
  const input: CreateTableCommandInput = {
    TableName: table.TableName,
    AttributeDefinitions: table.AttributeDefinitions,
    KeySchema: table.KeySchema,
    BillingMode: provisioned ? "PROVISIONED" : "PAY_PER_REQUEST",
  };
  if (provisioned) input.ProvisionedThroughput = table.ProvisionedThroughput ?? LOCAL_THROUGHPUT;
  if (table.LocalSecondaryIndexes?.length) {
    input.LocalSecondaryIndexes = table.LocalSecondaryIndexes.map(({ IndexName, KeySchema, Projection }) => ({
      IndexName,
      KeySchema,
      Projection,
    }));
  }
  if (table.GlobalSecondaryIndexes?.length) {
    input.GlobalSecondaryIndexes = table.GlobalSecondaryIndexes.map(
      ({ IndexName, KeySchema, Projection, ProvisionedThroughput }) => ({
        IndexName,
        KeySchema,
        Projection,
        ...(provisioned ? { ProvisionedThroughput: ProvisionedThroughput ?? LOCAL_THROUGHPUT } : {}),
      }),
    );
  }
  return input;
}

const keyText = (keys: KeySchemaElement[] | undefined) =>
  (keys ?? []).map((k) => `${k.AttributeName}:${k.KeyType}`).join(",");

/** A kept data folder from before a key change would make every query subtly wrong: refuse it instead. */
function assertSameShape(expected: CreateTableCommandInput, actual: TableDescription): void {
  const problems: string[] = [];
  if (keyText(expected.KeySchema) !== keyText(actual.KeySchema))
    problems.push(`key schema ${keyText(actual.KeySchema)}`);
  const indexNames = (indexes: { IndexName?: string }[] | undefined) =>
    (indexes ?? [])
      .map((i) => i.IndexName)
      .sort()
      .join(",");
  if (indexNames(expected.LocalSecondaryIndexes) !== indexNames(actual.LocalSecondaryIndexes)) {
    problems.push(`local indexes [${indexNames(actual.LocalSecondaryIndexes)}]`);
  }
  if (indexNames(expected.GlobalSecondaryIndexes) !== indexNames(actual.GlobalSecondaryIndexes)) {
    problems.push(`global indexes [${indexNames(actual.GlobalSecondaryIndexes)}]`);
  }
  if (problems.length > 0) {
    throw new Error(
      `Local table ${expected.TableName} exists with ${problems.join(" and ")}, which differs from aws/template.yaml; delete the local data folder and start again`,
    );
  }
}

async function describe(client: DynamoDBClient, tableName: string): Promise<TableDescription | undefined> {
  try {
    return (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table;
  } catch (error) {
    if (error instanceof ResourceNotFoundException || (error as { name?: string }).name === "ResourceNotFoundException")
      return undefined;
    throw error;
  }
}

export async function ensureTables(options: EnsureTablesOptions): Promise<EnsuredTable[]> {
  const region = options.region ?? "ap-northeast-1";
  const template = await loadTemplate(options.templatePath ?? DEFAULT_TEMPLATE_PATH);
  const ctx = createResolveContext(template, { parameters: { Env: "local", ...options.parameters }, region });
  const client = new DynamoDBClient({
    endpoint: options.endpoint,
    region,
    credentials: options.credentials ?? { accessKeyId: "local", secretAccessKey: "local" },
    maxAttempts: 3,
  });
  const ensured: EnsuredTable[] = [];
  try {
    for (const [logicalId, resource] of Object.entries(template.Resources)) {
      if (resource.Type !== "AWS::DynamoDB::Table") continue;
      const table = resolveValue(resource.Properties, ctx) as TableProperties;
      const input = createTableInput(table);
      const existing = await describe(client, table.TableName);
      if (existing) {
        assertSameShape(input, existing);
      } else {
        await client.send(new CreateTableCommand(input));
      }
      if (existing?.TableStatus !== "ACTIVE") {
        // minDelay must stay below maxWaitTime or the SDK waiter refuses to start.
        await waitUntilTableExists(
          { client, maxWaitTime: options.maxWaitSeconds ?? 30, minDelay: 0.1, maxDelay: 1 },
          { TableName: table.TableName },
        );
      }
      if (!existing && table.TimeToLiveSpecification?.Enabled) {
        // DynamoDB Local accepts the TTL setting (without ever expiring items); dynalite has no TTL at all.
        await client
          .send(
            new UpdateTimeToLiveCommand({
              TableName: table.TableName,
              TimeToLiveSpecification: table.TimeToLiveSpecification,
            }),
          )
          .catch(() => undefined);
      }
      ensured.push({ logicalId, tableName: table.TableName, created: !existing });
    }
  } finally {
    client.destroy();
  }
  return ensured;
}
