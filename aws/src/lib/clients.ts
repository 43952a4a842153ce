/**
 * AWS SDK clients, created once per Lambda container. In AWS the endpoints are the defaults; the local stack
 * points them at dynalite / DynamoDB Local and s3rver through DYNAMODB_ENDPOINT and S3_ENDPOINT.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";

let documentClient: DynamoDBDocumentClient | undefined;
let s3Client: S3Client | undefined;

export function dynamo(): DynamoDBDocumentClient {
  if (!documentClient) {
    const endpoint = process.env.DYNAMODB_ENDPOINT;
    const client = new DynamoDBClient({
      ...(endpoint ? { endpoint } : {}),
      // Throttling is retried with backoff; five attempts ride out a burst on an on-demand table.
      maxAttempts: 5,
    });
    documentClient = DynamoDBDocumentClient.from(client, {
      marshallOptions: { removeUndefinedValues: true },
    });
  }
  return documentClient;
}

export function s3(): S3Client {
  if (!s3Client) {
    const endpoint = process.env.S3_ENDPOINT;
    s3Client = new S3Client({
      ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
      // s3rver stores chunk-signed uploads verbatim; only send checksums where S3 demands them.
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
    });
  }
  return s3Client;
}

/** For tests that switch endpoints between suites. */
export function resetClients(): void {
  documentClient?.destroy();
  s3Client?.destroy();
  documentClient = undefined;
  s3Client = undefined;
}
