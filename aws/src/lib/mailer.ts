/**
 * Sending one email through Amazon SES (API v2). In AWS the endpoint is the region's; the local stack points
 * SES_ENDPOINT at the stand-in (aws-ses-v2-local), which keeps what it receives and shows it on a web page.
 */
import { SendEmailCommand, SESv2Client } from "@aws-sdk/client-sesv2";
import type { MailMessage } from "../mail/templates";

let client: SESv2Client | undefined;

function ses(): SESv2Client {
  if (!client) {
    const endpoint = process.env.SES_ENDPOINT;
    client = new SESv2Client({
      ...(endpoint ? { endpoint } : {}),
      // One quick retry inside a run; the outbox retries later with back-off, so a slow SES never holds a run for long.
      maxAttempts: 2,
      requestHandler: { requestTimeout: 5_000, connectionTimeout: 2_000 },
    });
  }
  return client;
}

export function resetMailer(): void {
  client?.destroy();
  client = undefined;
}

export async function sendMail(from: string, to: string, message: MailMessage): Promise<string> {
  const result = await ses().send(
    new SendEmailCommand({
      FromEmailAddress: from,
      Destination: { ToAddresses: [to] },
      Content: {
        Simple: {
          Subject: { Data: message.subject, Charset: "UTF-8" },
          Body: { Text: { Data: message.text, Charset: "UTF-8" }, Html: { Data: message.html, Charset: "UTF-8" } },
        },
      },
    }),
  );
  return result.MessageId ?? "";
}

/**
 * Errors no retry can fix: SES refused this message (a rejected address, an unverified identity). Throttling, SES
 * being down, a timeout or a network failure are worth retrying.
 */
export function isPermanentMailError(error: unknown): boolean {
  const name = (error as { name?: string } | undefined)?.name ?? "";
  return ["BadRequestException", "MessageRejected", "NotFoundException", "MailFromDomainNotVerifiedException"].includes(name);
}
