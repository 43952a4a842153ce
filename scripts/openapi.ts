/**
 * The order API as an OpenAPI 3.1 document, generated from the shared zod contract (aws/src/contract) and the ECPay
 * callback schemas (aws/src/ecpay) with zod's own `z.toJSONSchema`, so the document cannot drift from what the
 * Lambdas parse. Request bodies and parameters are described as the API accepts them (zod "input"), responses as
 * it sends them ("output").
 *
 *   npx tsx scripts/openapi.ts           writes docs/openapi.json
 *   npx tsx scripts/openapi.ts --check   fails when docs/openapi.json is not what the contract generates
 *
 * scripts/openapi.test.ts runs the check in `npm test`; .ci/schemathesis.sh fuzzes the local API against the file.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as z from "zod";
import * as contract from "../aws/src/contract";
import { paymentInfoSchema, paymentResultSchema } from "../aws/src/ecpay";
import { logisticsStatusSchema } from "../aws/src/ecpay/logistics";

export const OPENAPI_PATH = fileURLToPath(new URL("../docs/openapi.json", import.meta.url));

type Json = Record<string, unknown>;
type RouteName = keyof typeof contract.ROUTES;

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** Named request schemas (zod "input": defaults optional, transforms described by what they accept). */
const INPUT: Record<string, z.ZodType> = {
  CreateOrderRequest: contract.createOrderRequestSchema,
  RetryPaymentRequest: contract.retryPaymentRequestSchema,
  AdminTransitionRequest: contract.adminTransitionRequestSchema,
  AdminProductsRequest: contract.adminProductsSchema,
  AdminSiteRequest: contract.adminSiteSchema,
  AdminPutStockRequest: contract.adminPutStockRequestSchema,
  EcpayPaymentResult: paymentResultSchema,
  EcpayPaymentInfo: paymentInfoSchema,
  EcpayLogisticsStatus: logisticsStatusSchema,
  CvsMapRequest: contract.cvsMapRequestSchema,
  AdminShipmentsRequest: contract.adminShipmentsRequestSchema,
};

/** Named response schemas (zod "output"). */
const OUTPUT: Record<string, z.ZodType> = {
  Order: contract.orderSchema,
  Ping: contract.pingResponseSchema,
  CreateOrderResponse: contract.createOrderResponseSchema,
  GetOrderResponse: contract.getOrderResponseSchema,
  RetryPaymentResponse: contract.retryPaymentResponseSchema,
  AdminListOrdersResponse: contract.adminListOrdersResponseSchema,
  AdminOrderResponse: contract.adminOrderResponseSchema,
  AdminReconcileResponse: contract.adminReconcileResponseSchema,
  AdminProducts: contract.adminProductsSchema,
  AdminSite: contract.adminSiteSchema,
  CreateUploadResponse: contract.createUploadResponseSchema,
  UploadStatus: contract.uploadStatusSchema,
  Stock: contract.stockResponseSchema,
  AdminStock: contract.adminStockResponseSchema,
  AdminStockEntry: contract.adminStockEntrySchema,
  Error: contract.errorResponseSchema,
  BrowserForm: contract.cvsMapResponseSchema,
  AdminShipmentsResponse: contract.adminShipmentsResponseSchema,
  AdminCheckShipmentResponse: contract.adminCheckShipmentResponseSchema,
};

/** What JavaScript's `\\s` and `String.prototype.trim` treat as white space, spelled out for any regex engine. */
const JS_SPACE = "\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff";

/**
 * What zod cannot say by itself, so that the document accepts exactly what the API accepts (schemathesis checks
 * both directions):
 * - the phone transform takes the number as shoppers type it: white space and dashes anywhere are dropped before
 *   the `09` + 8 digits check;
 * - a `.trim()`med string is checked after trimming, so its raw length and pattern are not limited: the limits go
 *   into the description instead.
 */
const override = (io: "input" | "output") => (ctx: { zodSchema: unknown; jsonSchema: Json }) => {
  if (io !== "input") return;
  const json = ctx.jsonSchema;
  if (ctx.zodSchema === contract.taiwanMobile) {
    json.pattern = `^[${JS_SPACE}-]*0[${JS_SPACE}-]*9(?:[${JS_SPACE}-]*[0-9]){8}[${JS_SPACE}-]*$`;
    json.description = "Taiwan mobile number: 09 and 8 digits; white space and dashes are ignored";
    return;
  }
  const def = (ctx.zodSchema as { _zod?: { def?: { type?: string; checks?: { _zod: { def: { check: string } } }[] } } })
    ._zod?.def;
  const trimmed = def?.type === "string" && def.checks?.some((check) => check._zod.def.check === "overwrite");
  if (!trimmed) return;
  const after = [
    json.minLength !== undefined ? `at least ${json.minLength} characters` : "",
    json.maxLength !== undefined ? `at most ${json.maxLength} characters` : "",
    json.format ? `format ${json.format}` : "",
    json.pattern ? `matching ${json.pattern}` : "",
  ].filter(Boolean);
  delete json.maxLength;
  delete json.pattern;
  delete json.format;
  if (after.length > 0) json.description = `Checked after trimming white space: ${after.join(", ")}`;
};

function componentSchemas(named: Record<string, z.ZodType>, io: "input" | "output"): Record<string, Json> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(named)) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, {
    io,
    uri: (id) => `#/components/schemas/${id}`,
    override: override(io),
  }) as { schemas: Record<string, Json> };
  return Object.fromEntries(
    Object.entries(schemas).map(([id, schema]) => {
      const { $schema: _dialect, $id: _id, ...rest } = schema;
      return [id, rest];
    }),
  );
}

/**
 * A zod object's properties as OpenAPI query parameters. The API ignores an empty parameter (`?to=` is no `to`, as an
 * empty form field), so an optional one also accepts the empty string.
 */
function queryParameters(schema: z.ZodObject): Json[] {
  const json = z.toJSONSchema(schema, { io: "input", override: override("input") }) as {
    properties: Record<string, Json>;
    required?: string[];
  };
  return Object.entries(json.properties).map(([name, property]) => {
    const required = (json.required ?? []).includes(name);
    return {
      name,
      in: "query",
      required,
      schema: required
        ? property
        : { anyOf: [property, { type: "string", maxLength: 0, description: "empty: the same as leaving it out" }] },
    };
  });
}

function pathId(
  idSchema: z.ZodType = contract.orderIdSchema,
  description = "Order id `YYMMDD-NNNN-NNNN` (orders placed before eight-digit ids: `YYMMDD-NNNNN`)",
): Json[] {
  const { $schema: _dialect, ...schema } = z.toJSONSchema(idSchema, { io: "input" }) as Json;
  return [{ name: "id", in: "path", required: true, schema, description }];
}

const pathProductId = () => pathId(contract.productIdSchema, "Product id as in the catalog");

const jsonContent = (schema: Json) => ({ "application/json": { schema } });

const ERROR_TEXT: Record<number, string> = {
  400: "Invalid input (`bad_request`), with the failing fields",
  403: "Refused by API Gateway: missing or wrong SigV4 signature, or the caller's IAM policy does not allow the route",
  404: "Not found",
  409: "Conflict: `sold_out` (for an order: not enough stock, naming each product, with `remaining`), `conflict` (for a stock edit: with `currentStock`), `price_changed` (with `currentTotal`), `idempotency_mismatch` or `invalid_transition`",
  413: "Body too large (API Gateway's own answer over its 10 MB limit; photos never pass through the API: ADR 0019)",
  422: "A product is unknown or not available (`product_unavailable`)",
  500: "Function error (`internal_error`, or API Gateway's `Internal Server Error`)",
  502: "ECPay's QueryTradeInfo failed (`upstream_error`)",
  503: "The shop is closed (`site_closed`), or the integration outlasted API Gateway's 30 s limit",
};

/** Error answers: ours (`{ error: { code, message } }`) or API Gateway's own (`{ message }` / `{ Message }`). */
function errors(...codes: number[]): Record<string, Json> {
  return Object.fromEntries(
    codes.map((code) => [
      String(code),
      { description: ERROR_TEXT[code], content: jsonContent({ anyOf: [ref("Error"), ref("GatewayError")] }) },
    ]),
  );
}

const ok = (status: number, description: string, schema: Json) => ({
  [String(status)]: { description, content: jsonContent(schema) },
});

/** Every route a signed caller can reach also gets API Gateway's own refusals and failures. */
const SIGNED = [403, 500, 503] as const;

const ecpayResponses = {
  "200": {
    description:
      "Always HTTP 200 as ECPay expects: `1|OK` once the notification is applied (or was already), otherwise `0|<reason>` so ECPay delivers it again",
    content: { "text/plain": { schema: { type: "string", pattern: "^(1\\|OK|0\\|.*)$" } } },
  },
  ...errors(413, 500, 503),
};

function ecpayOperation(operationId: string, summary: string, schemaName: string, mac = "SHA256"): Json {
  return {
    operationId,
    summary,
    tags: ["ecpay"],
    security: [],
    requestBody: {
      required: true,
      description: `Form fields as ECPay posts them; CheckMacValue (${mac}) over every field is verified first`,
      content: { "application/x-www-form-urlencoded": { schema: ref(schemaName) } },
    },
    responses: ecpayResponses,
  };
}

/** An order for the products of the local seed catalog (aws/local/seed/catalog.ts). */
const ORDER_EXAMPLE = {
  summary: "Two teas and a box of pineapple cakes, paid by card",
  value: {
    idempotencyKey: "3f1c9a7e-checkout-0001",
    items: [
      { productId: "dongding-oolong", quantity: 2 },
      { productId: "pineapple-cake", quantity: 1 },
    ],
    customer: {
      name: "王小明",
      phone: "0912-345-678",
      email: "xiaoming@example.tw",
      address: "100 臺北市中正區重慶南路一段 122 號",
    },
    paymentMethod: "credit",
    expectedTotal: 1280,
  },
};

/** Where a new order's id leads (schemathesis follows these links in its stateful phase). */
const ORDER_LINKS = {
  GetOrder: {
    operationId: "getOrder",
    parameters: { id: "$response.body#/order/id", phone: "$request.body#/customer/phone" },
  },
  AdminGetOrder: { operationId: "adminGetOrder", parameters: { id: "$response.body#/order/id" } },
  AdminTransition: { operationId: "adminTransition", parameters: { id: "$response.body#/order/id" } },
  AdminReconcile: { operationId: "adminReconcile", parameters: { id: "$response.body#/order/id" } },
  AdminCheckShipment: { operationId: "adminCheckShipment", parameters: { id: "$response.body#/order/id" } },
};

const OPERATIONS: Record<RouteName, Json> = {
  ping: {
    operationId: "ping",
    summary: "Liveness of the API and of the caller's signing",
    tags: ["shopper", "admin"],
    responses: { ...ok(200, "The API is up", ref("Ping")), ...errors(...SIGNED) },
  },
  createOrder: {
    operationId: "createOrder",
    summary: "Place an order (idempotent per idempotencyKey); priced from the catalog, never from the caller",
    tags: ["shopper"],
    requestBody: {
      required: true,
      content: {
        "application/json": { schema: ref("CreateOrderRequest"), examples: { seededCatalog: ORDER_EXAMPLE } },
      },
    },
    responses: {
      "201": {
        description:
          "The order (a retry with the same key and body returns the same order), and the ECPay form for card and ATM",
        content: jsonContent(ref("CreateOrderResponse")),
        links: ORDER_LINKS,
      },
      ...errors(400, 409, 413, 422, ...SIGNED),
    },
  },
  getOrder: {
    operationId: "getOrder",
    summary: "A shopper looks an order up by its id and phone (one 404 for unknown id and wrong phone alike)",
    tags: ["shopper"],
    parameters: queryParameters(contract.getOrderQuerySchema),
    responses: { ...ok(200, "The order", ref("GetOrderResponse")), ...errors(404, ...SIGNED) },
  },
  retryPayment: {
    operationId: "retryPayment",
    summary:
      "Pay again: a new ECPay checkout attempt for an unpaid card/ATM order (id and phone as for getOrder); " +
      "asks ECPay about the last attempt first, so a late payment is recorded instead of charged twice",
    tags: ["shopper"],
    requestBody: { required: true, content: jsonContent(ref("RetryPaymentRequest")) },
    responses: {
      ...ok(200, "The order, and the ECPay form when there is still something to pay (else null)", ref("RetryPaymentResponse")),
      ...errors(400, 404, 409, 413, 502, ...SIGNED),
    },
  },
  ecpayReturn: ecpayOperation(
    "ecpayReturn",
    "ECPay ReturnURL: the payment result (public, verified by CheckMacValue)",
    "EcpayPaymentResult",
  ),
  ecpayPaymentInfo: ecpayOperation(
    "ecpayPaymentInfo",
    "ECPay PaymentInfoURL: an ATM virtual account was issued (public, verified by CheckMacValue)",
    "EcpayPaymentInfo",
  ),
  ecpayLogistics: ecpayOperation(
    "ecpayLogistics",
    "ECPay Logistics ServerReplyURL: a store-pickup parcel's status changed (public, verified by an MD5 CheckMacValue)",
    "EcpayLogisticsStatus",
    "MD5",
  ),
  cvsMap: {
    operationId: "cvsMap",
    summary: "The form that opens ECPay's convenience-store map; the map posts the chosen store back through the browser",
    tags: ["shopper"],
    requestBody: { required: true, content: jsonContent(ref("CvsMapRequest")) },
    responses: { ...ok(200, "A form for the browser to post", ref("BrowserForm")), ...errors(400, 413, ...SIGNED) },
  },
  adminCreateShipments: {
    operationId: "adminCreateShipments",
    summary: "Create the ECPay logistics orders of store-pickup orders (each succeeds or fails on its own)",
    tags: ["admin"],
    requestBody: { required: true, content: jsonContent(ref("AdminShipmentsRequest")) },
    responses: { ...ok(200, "One result per order", ref("AdminShipmentsResponse")), ...errors(400, 413, ...SIGNED) },
  },
  adminPrintShipments: {
    operationId: "adminPrintShipments",
    summary: "The form that opens ECPay's labels or slips of these orders (one chain at a time)",
    tags: ["admin"],
    requestBody: { required: true, content: jsonContent(ref("AdminShipmentsRequest")) },
    responses: { ...ok(200, "A form for the browser to post", ref("BrowserForm")), ...errors(400, 413, ...SIGNED) },
  },
  adminListOrders: {
    operationId: "adminListOrders",
    summary: "Orders newest first, filtered, one page at a time (dates are Taipei calendar days; at most 10 years)",
    tags: ["admin"],
    parameters: queryParameters(contract.adminListOrdersQuerySchema),
    responses: { ...ok(200, "A page of orders", ref("AdminListOrdersResponse")), ...errors(400, ...SIGNED) },
  },
  adminGetOrder: {
    operationId: "adminGetOrder",
    summary: "One order",
    tags: ["admin"],
    parameters: pathId(),
    responses: { ...ok(200, "The order", ref("AdminOrderResponse")), ...errors(400, 404, ...SIGNED) },
  },
  adminTransition: {
    operationId: "adminTransition",
    summary: "Move an order along the state machine as the owner",
    tags: ["admin"],
    parameters: pathId(),
    requestBody: { required: true, content: jsonContent(ref("AdminTransitionRequest")) },
    responses: {
      ...ok(200, "The order after the change", ref("AdminOrderResponse")),
      ...errors(400, 404, 409, 413, ...SIGNED),
    },
  },
  adminReconcile: {
    operationId: "adminReconcile",
    summary: "Ask ECPay (QueryTradeInfo) about an unpaid order and apply what it says",
    tags: ["admin"],
    parameters: pathId(),
    responses: {
      ...ok(200, "The order and what ECPay said", ref("AdminReconcileResponse")),
      ...errors(400, 404, 413, 502, ...SIGNED),
    },
  },
  adminCheckShipment: {
    operationId: "adminCheckShipment",
    summary:
      "Ask ECPay Logistics (QueryLogisticsTradeInfo) for a store-pickup shipment's status and apply it like a notification (once, forward only)",
    tags: ["admin"],
    parameters: pathId(),
    responses: {
      ...ok(200, "The order, ECPay's status code and whether it moved the order", ref("AdminCheckShipmentResponse")),
      ...errors(400, 404, 409, 413, 502, ...SIGNED),
    },
  },
  adminGetProducts: {
    operationId: "adminGetProducts",
    summary: "The catalog",
    tags: ["admin"],
    responses: { ...ok(200, "Every product", ref("AdminProducts")), ...errors(...SIGNED) },
  },
  adminPutProducts: {
    operationId: "adminPutProducts",
    summary: "Replace the catalog, if it is still at the given revision",
    tags: ["admin"],
    requestBody: { required: true, content: jsonContent(ref("AdminProductsRequest")) },
    responses: {
      ...ok(200, "The catalog as saved, with its new revision", ref("AdminProducts")),
      // 409 conflict: the catalog is no longer at the revision the change was made from.
      ...errors(400, 409, 413, ...SIGNED),
    },
  },
  adminCreateUpload: {
    operationId: "adminCreateUpload",
    summary:
      "A presigned S3 POST for one product photo (JPEG, PNG or WebP up to 20 MB, usable for 5 minutes); the file goes to S3, then a function makes its variants",
    tags: ["admin"],
    responses: { ...ok(201, "Where and how to post the file", ref("CreateUploadResponse")), ...errors(...SIGNED) },
  },
  adminGetUpload: {
    operationId: "adminGetUpload",
    summary: "Whether an uploaded photo is still being processed, ready (with its variants) or refused (with why)",
    tags: ["admin"],
    parameters: pathId(contract.uploadIdSchema, "Upload id from POST /admin/uploads"),
    responses: {
      ...ok(200, "The upload's state", ref("UploadStatus")),
      // 404: never uploaded, or expired.
      ...errors(400, 404, ...SIGNED),
    },
  },
  adminGetSite: {
    operationId: "adminGetSite",
    summary: "Whether the shop is open, and its messages",
    tags: ["admin"],
    responses: { ...ok(200, "The site status and its revision", ref("AdminSite")), ...errors(...SIGNED) },
  },
  adminPutSite: {
    operationId: "adminPutSite",
    summary: "Open or close the shop, set its messages, if the status is still at the given revision",
    tags: ["admin"],
    requestBody: { required: true, content: jsonContent(ref("AdminSiteRequest")) },
    responses: {
      ...ok(200, "The site status as saved, with its new revision", ref("AdminSite")),
      // 409 conflict: the status is no longer at the revision the change was made from.
      ...errors(400, 409, 413, ...SIGNED),
    },
  },
  getStock: {
    operationId: "getStock",
    summary: "Units left of each tracked product (untracked products are not listed); the storefront caches it briefly",
    tags: ["shopper"],
    responses: { ...ok(200, "Counts by product id", ref("Stock")), ...errors(...SIGNED) },
  },
  adminGetStock: {
    operationId: "adminGetStock",
    summary: "The stock count of every catalog product (null: not tracked)",
    tags: ["admin"],
    responses: { ...ok(200, "Counts in catalog order", ref("AdminStock")), ...errors(...SIGNED) },
  },
  adminPutStock: {
    operationId: "adminPutStock",
    summary: "Set a product's count (null: stop tracking), only if it still is `expected`",
    tags: ["admin"],
    parameters: pathProductId(),
    requestBody: { required: true, content: jsonContent(ref("AdminPutStockRequest")) },
    responses: {
      ...ok(200, "The count as saved", ref("AdminStockEntry")),
      // 409 conflict: the count moved since the owner's page showed it (with currentStock).
      ...errors(400, 404, 409, 413, ...SIGNED),
    },
  },
};

const GATEWAY_ERROR: Json = {
  description: "API Gateway's own error body (signature or IAM refusal, missing route, size limit, function error)",
  anyOf: [
    { type: "object", properties: { message: { type: "string" } }, required: ["message"] },
    { type: "object", properties: { Message: { type: "string" } }, required: ["Message"] },
  ],
};

export function buildOpenApi(): Json {
  const paths: Record<string, Record<string, Json>> = {};
  for (const [name, route] of Object.entries(contract.ROUTES) as [RouteName, { method: string; path: string }][]) {
    paths[route.path] ??= {};
    (paths[route.path] as Record<string, Json>)[route.method.toLowerCase()] = OPERATIONS[name];
  }
  const schemas = {
    ...componentSchemas(OUTPUT, "output"),
    ...componentSchemas(INPUT, "input"),
    GatewayError: GATEWAY_ERROR,
  };
  return {
    openapi: "3.1.0",
    jsonSchemaDialect: "https://json-schema.org/draft/2020-12/schema",
    info: {
      title: "小島良品 order API",
      version: "1",
      description:
        "API Gateway HTTP API → one Lambda per route. Every route but the two ECPay callbacks needs a SigV4 " +
        "signature (service `execute-api`) from an IAM user: the storefront's BFF (`/`, `/order`, `/stock`) or the owner's " +
        "admin (`/`, `/admin/*`). Money is integer New Taiwan Dollars. Generated from aws/src/contract by " +
        "scripts/openapi.ts; do not edit by hand.",
    },
    servers: [
      { url: "https://{apiId}.execute-api.ap-northeast-1.amazonaws.com", variables: { apiId: { default: "example" } } },
      { url: "http://127.0.0.1:3001", description: "The local stack (npm start)" },
    ],
    security: [{ sigv4: [] }],
    tags: [
      { name: "shopper", description: "Called by the storefront's BFF (IAM user shop-<env>-storefront)" },
      { name: "admin", description: "Called by the owner's admin pages (IAM user shop-<env>-owner-admin)" },
      { name: "ecpay", description: "Called by ECPay's servers; public, authenticated by CheckMacValue" },
    ],
    paths,
    components: {
      schemas: Object.fromEntries(Object.entries(schemas).sort(([a], [b]) => a.localeCompare(b))),
      securitySchemes: {
        sigv4: {
          type: "apiKey",
          name: "Authorization",
          in: "header",
          description:
            "AWS Signature Version 4 for service `execute-api` in ap-northeast-1 (headers Authorization, X-Amz-Date, " +
            "X-Amz-Content-Sha256; X-Amz-Security-Token with temporary credentials).",
          "x-amazon-apigateway-authtype": "awsSigv4",
        },
      },
    },
  };
}

export function renderOpenApi(): string {
  return `${JSON.stringify(buildOpenApi(), null, 2)}\n`;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const rendered = renderOpenApi();
  if (process.argv.includes("--check")) {
    const current = readFileSync(OPENAPI_PATH, "utf8");
    if (current !== rendered) {
      console.error("docs/openapi.json is out of date: run `npx tsx scripts/openapi.ts`");
      process.exit(1);
    }
    console.log("docs/openapi.json is up to date");
  } else {
    writeFileSync(OPENAPI_PATH, rendered);
    console.log(`wrote ${path.relative(process.cwd(), OPENAPI_PATH)}`);
  }
}
