import { describe, expect, it } from "vitest";
import { amzDate, presignPost, signPolicy } from "./post-policy";

// AWS's published example (S3 API reference, "Example: Browser-Based Upload using HTTP POST (Using AWS Signature
// Version 4)"): this policy, these example credentials and this date give this signature.
const EXAMPLE_POLICY =
  "eyAiZXhwaXJhdGlvbiI6ICIyMDE1LTEyLTMwVDEyOjAwOjAwLjAwMFoiLA0KICAiY29uZGl0aW9ucyI6IFsNCiAgICB7ImJ1Y2tldCI6ICJzaWd2NGV4YW1wbGVidWNrZXQifSwNCiAgICBbInN0YXJ0cy13aXRoIiwgIiRrZXkiLCAidXNlci91c2VyMS8iXSwNCiAgICB7ImFjbCI6ICJwdWJsaWMtcmVhZCJ9LA0KICAgIHsic3VjY2Vzc19hY3Rpb25fcmVkaXJlY3QiOiAiaHR0cDovL3NpZ3Y0ZXhhbXBsZWJ1Y2tldC5zMy5hbWF6b25hd3MuY29tL3N1Y2Nlc3NmdWxfdXBsb2FkLmh0bWwifSwNCiAgICBbInN0YXJ0cy13aXRoIiwgIiRDb250ZW50LVR5cGUiLCAiaW1hZ2UvIl0sDQogICAgeyJ4LWFtei1tZXRhLXV1aWQiOiAiMTQzNjUxMjM2NTEyNzQifSwNCiAgICB7IngtYW16LXNlcnZlci1zaWRlLWVuY3J5cHRpb24iOiAiQUVTMjU2In0sDQogICAgWyJzdGFydHMtd2l0aCIsICIkeC1hbXotbWV0YS10YWciLCAiIl0sDQoNCiAgICB7IngtYW16LWNyZWRlbnRpYWwiOiAiQUtJQUlPU0ZPRE5ON0VYQU1QTEUvMjAxNTEyMjkvdXMtZWFzdC0xL3MzL2F3czRfcmVxdWVzdCJ9LA0KICAgIHsieC1hbXotYWxnb3JpdGhtIjogIkFXUzQtSE1BQy1TSEEyNTYifSwNCiAgICB7IngtYW16LWRhdGUiOiAiMjAxNTEyMjlUMDAwMDAwWiIgfQ0KICBdDQp9";
const EXAMPLE_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const EXAMPLE_SIGNATURE = "8afdbf4008c03f22c2cd3cdb72e4afbb1f6a588f3255ac628749a66d7f09699e";

describe("S3 POST policy signatures", () => {
  it("reproduces AWS's published example", () => {
    expect(signPolicy(EXAMPLE_POLICY, EXAMPLE_SECRET, "20151229", "us-east-1")).toBe(EXAMPLE_SIGNATURE);
  });

  it("differs for another secret, day or region", () => {
    expect(signPolicy(EXAMPLE_POLICY, `${EXAMPLE_SECRET}x`, "20151229", "us-east-1")).not.toBe(EXAMPLE_SIGNATURE);
    expect(signPolicy(EXAMPLE_POLICY, EXAMPLE_SECRET, "20151230", "us-east-1")).not.toBe(EXAMPLE_SIGNATURE);
    expect(signPolicy(EXAMPLE_POLICY, EXAMPLE_SECRET, "20151229", "ap-northeast-1")).not.toBe(EXAMPLE_SIGNATURE);
  });

  it("signs a policy naming the bucket, the exact key, every field and the extra conditions", () => {
    const now = new Date("2026-11-28T03:04:05.678Z");
    const post = presignPost({
      bucket: "shop-stag-content-123456789012",
      key: "uploads/0123456789abcdef0123456789abcdef",
      region: "ap-northeast-1",
      credentials: { accessKeyId: "ASIAEXAMPLE", secretAccessKey: EXAMPLE_SECRET, sessionToken: "token==" },
      conditions: [["content-length-range", 1, 20 * 1024 * 1024]],
      expiresInSeconds: 300,
      now,
    });
    expect(amzDate(now)).toBe("20261128T030405Z");
    expect(post.expiresAt.toISOString()).toBe("2026-11-28T03:09:05.678Z");
    const { Policy, "X-Amz-Signature": signature, ...fields } = post.fields;
    expect(fields).toEqual({
      key: "uploads/0123456789abcdef0123456789abcdef",
      "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
      "X-Amz-Credential": "ASIAEXAMPLE/20261128/ap-northeast-1/s3/aws4_request",
      "X-Amz-Date": "20261128T030405Z",
      "X-Amz-Security-Token": "token==",
    });
    const policy = JSON.parse(Buffer.from(Policy!, "base64").toString("utf8"));
    expect(policy).toEqual({
      expiration: "2026-11-28T03:09:05.678Z",
      conditions: [
        { bucket: "shop-stag-content-123456789012" },
        { key: "uploads/0123456789abcdef0123456789abcdef" },
        { "X-Amz-Algorithm": "AWS4-HMAC-SHA256" },
        { "X-Amz-Credential": "ASIAEXAMPLE/20261128/ap-northeast-1/s3/aws4_request" },
        { "X-Amz-Date": "20261128T030405Z" },
        { "X-Amz-Security-Token": "token==" },
        ["content-length-range", 1, 20971520],
      ],
    });
    expect(signature).toBe(signPolicy(Policy!, EXAMPLE_SECRET, "20261128", "ap-northeast-1"));
  });
});
