// Drives kasse with the official Vipps MobilePay Node SDK (@vippsmobilepay/sdk), unmodified.
//
// The SDK has no base-URL option: it always builds `https://apitest.vipps.no/...` (useTestMode) and calls
// the global `fetch`. We point it at kasse through that fetch: a wrapper rewrites the fixed test host to
// KASSE_URL, records every request and response (for the failure dump), and refuses any other host, so
// nothing ever leaves the machine.
//
// Env: KASSE_URL (required), KASSE_MSN, KASSE_CLIENT_ID, KASSE_CLIENT_SECRET, KASSE_SUBSCRIPTION_KEY
// (default: kasse's demo sales unit), KASSE_PHONE (default 4712345678), KASSE_SDK_DUMP=1 to print every
// exchange to stderr. Prints one JSON summary line on stdout; exits 1 with a clear message on any failure.

import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { Client } from "@vippsmobilepay/sdk";

const SDK_HOST = "https://apitest.vipps.no";
const env = process.env;
const KASSE_URL = (env.KASSE_URL ?? "").replace(/\/+$/, "");
const CREDS = {
  msn: env.KASSE_MSN ?? "123456",
  clientId: env.KASSE_CLIENT_ID ?? "kasse-demo-client",
  clientSecret: env.KASSE_CLIENT_SECRET ?? "kasse-demo-secret",
  subscriptionKey: env.KASSE_SUBSCRIPTION_KEY ?? "kasse-demo-subscription-key",
};
const PHONE = env.KASSE_PHONE ?? "4712345678";
const SDK_VERSION = JSON.parse(
  readFileSync(new URL("./node_modules/@vippsmobilepay/sdk/package.json", import.meta.url), "utf8"),
).version;

class CheckFailed extends Error {}

// ---------------------------------------------------------------- fetch interception
const exchanges = [];
const realFetch = globalThis.fetch;

globalThis.fetch = async (input, init) => {
  const request = new Request(input, init);
  if (!request.url.startsWith(`${SDK_HOST}/`)) {
    throw new CheckFailed(`the SDK tried to reach ${request.url}; only ${SDK_HOST} is redirected to kasse`);
  }
  const target = KASSE_URL + request.url.slice(SDK_HOST.length);
  // forward the body exactly: none stays none (the SDK sends none to token and cancel, with a JSON content type)
  const body = request.body === null ? undefined : await request.text();
  const headers = Object.fromEntries(request.headers);
  let response;
  try {
    response = await realFetch(target, { method: request.method, headers: request.headers, body });
  } catch (err) {
    throw new CheckFailed(`could not reach kasse at ${target}: ${err.cause?.message ?? err.message}`);
  }
  const text = await response.clone().text();
  const exchange = {
    request: { method: request.method, path: new URL(target).pathname, headers: redact(headers), body: body ?? null },
    response: { status: response.status, contentType: response.headers.get("content-type"), body: text },
  };
  exchanges.push(exchange);
  if (env.KASSE_SDK_DUMP === "1") process.stderr.write(`${JSON.stringify(exchange)}\n`);
  return response;
};

function redact(headers) {
  const out = { ...headers };
  for (const name of ["authorization", "client_secret"]) {
    if (out[name] && out[name].length > 16) out[name] = `${out[name].slice(0, 16)}…`;
  }
  return out;
}

// ---------------------------------------------------------------- checks
function check(condition, message, detail) {
  if (!condition) {
    throw new CheckFailed(detail === undefined ? message : `${message}: ${JSON.stringify(detail)}`);
  }
}

function equal(actual, expected, what) {
  check(JSON.stringify(actual) === JSON.stringify(expected), `${what}: expected ${JSON.stringify(expected)}, got`,
    actual);
}

function ok(result, what) {
  check(result && result.ok === true, `${what} failed`, result && (result.error?.message ?? result.error));
  return result.data;
}

const nok = (value) => ({ currency: "NOK", value });

function aggregate(authorized, captured, refunded, cancelled) {
  return {
    authorizedAmount: nok(authorized),
    cancelledAmount: nok(cancelled),
    capturedAmount: nok(captured),
    refundedAmount: nok(refunded),
  };
}

function sortedAggregate(agg) {
  return Object.fromEntries(Object.keys(agg ?? {}).sort().map((k) => [k, agg[k]]));
}

const lastExchange = () => exchanges[exchanges.length - 1];

// ---------------------------------------------------------------- the flows
async function fullLifecycle(client, token, flow) {
  const reference = `node-sdk-${flow.toLowerCase().replace("_", "-")}-${randomUUID().slice(0, 13)}`;
  const amount = 10000;
  const body = {
    amount: nok(amount),
    paymentMethod: { type: "WALLET" },
    reference,
    userFlow: flow,
    customerInteraction: "CUSTOMER_PRESENT",
    paymentDescription: `kasse Node SDK check (${flow})`,
  };
  if (flow === "PUSH_MESSAGE") body.customer = { phoneNumber: PHONE };

  const created = ok(await client.payment.create(token, body), `create (${flow})`);
  equal(created.reference, reference, "create: reference");
  equal(lastExchange().response.status, 201, "create: HTTP status");
  if (flow === "QR") {
    check(typeof created.redirectUrl === "string" && created.redirectUrl.length > 0,
      "create (QR): redirectUrl missing", created);
  } else {
    check(created.redirectUrl === undefined, "create (PUSH_MESSAGE): redirectUrl must be absent", created);
  }

  const before = ok(await client.payment.info(token, reference), "info before approval");
  equal(before.state, "CREATED", "info before approval: state");

  ok(await client.payment.forceApprove(token, reference, { customer: { phoneNumber: PHONE } }), "forceApprove");
  equal(lastExchange().response.status, 200, "forceApprove: HTTP status");

  const approved = ok(await client.payment.info(token, reference), "info after approval");
  equal(approved.state, "AUTHORIZED", "info after approval: state");
  equal(sortedAggregate(approved.aggregate), aggregate(amount, 0, 0, 0), "info after approval: aggregate");
  equal(approved.amount, nok(amount), "info: amount");
  equal(approved.reference, reference, "info: reference");

  const captured = ok(await client.payment.capture(token, reference, { modificationAmount: nok(4000) }), "capture");
  const captureKey = lastExchange().request.headers["idempotency-key"];
  equal(captured.state, "AUTHORIZED", "capture: state");
  equal(sortedAggregate(captured.aggregate), aggregate(amount, 4000, 0, 0), "capture: aggregate");

  const refunded = ok(await client.payment.refund(token, reference, { modificationAmount: nok(1500) }), "refund");
  const refundKey = lastExchange().request.headers["idempotency-key"];
  equal(sortedAggregate(refunded.aggregate), aggregate(amount, 4000, 1500, 0), "refund: aggregate");

  const cancelled = ok(await client.payment.cancel(token, reference), "cancel");
  equal(cancelled.state, "AUTHORIZED", "cancel: state");
  equal(sortedAggregate(cancelled.aggregate), aggregate(amount, 4000, 1500, 6000), "cancel: aggregate");

  const final = ok(await client.payment.info(token, reference), "info after cancel");
  equal(final.state, "AUTHORIZED", "final info: state");
  equal(sortedAggregate(final.aggregate), aggregate(amount, 4000, 1500, 6000), "final info: aggregate");

  const history = ok(await client.payment.history(token, reference), "history");
  check(Array.isArray(history), "history: expected an array", history);
  equal(history.map((e) => e.name), ["CREATED", "AUTHORIZED", "CAPTURED", "REFUNDED", "CANCELLED"], "history: names");
  equal(history.map((e) => e.amount.value), [amount, amount, 4000, 1500, 6000], "history: amounts");
  check(history.every((e) => e.success === true && e.reference === reference), "history: success/reference", history);
  check(new Set(history.map((e) => e.pspReference)).size === history.length,
    "history: every event has its own pspReference", history);
  equal(history[2].idempotencyKey, captureKey, "history: CAPTURED carries the capture's Idempotency-Key");
  equal(history[3].idempotencyKey, refundKey, "history: REFUNDED carries the refund's Idempotency-Key");

  // a domain error comes back through the SDK as a problem object (ok: false), not a throw
  const late = await client.payment.capture(token, reference, { modificationAmount: nok(1) });
  check(late.ok === false, "capture after cancel must fail", late);
  const errorCode = (late.error?.extraDetails ?? []).find((d) => d.name === "ErrorCode")?.reason;
  check(errorCode !== undefined, "capture after cancel: problem without an ErrorCode", late.error);

  return {
    reference,
    state: final.state,
    aggregate: final.aggregate,
    events: history.map((e) => e.name),
    captureAfterCancel: { status: lastExchange().response.status, errorCode },
  };
}

async function cancelBeforeApproval(client, token) {
  const reference = `node-sdk-term-${randomUUID().slice(0, 13)}`;
  ok(await client.payment.create(token, {
    amount: nok(2500),
    paymentMethod: { type: "WALLET" },
    reference,
    userFlow: "QR",
    customerInteraction: "CUSTOMER_PRESENT",
  }), "create (to terminate)");
  const cancelled = ok(await client.payment.cancel(token, reference), "cancel before approval");
  equal(cancelled.state, "TERMINATED", "cancel before approval: state");
  const history = ok(await client.payment.history(token, reference), "history (terminated)");
  equal(history.map((e) => e.name), ["CREATED", "TERMINATED"], "history (terminated): names");
  return { reference, state: cancelled.state, events: history.map((e) => e.name) };
}

async function main() {
  check(KASSE_URL !== "", "KASSE_URL is not set (e.g. KASSE_URL=http://127.0.0.1:8000)");
  const client = Client({
    merchantSerialNumber: CREDS.msn,
    subscriptionKey: CREDS.subscriptionKey,
    useTestMode: true, // the SDK's fixed test host, rewritten to KASSE_URL above
    retryRequests: false, // report a 5xx at once instead of hiding it behind retries
  });

  const tokenResult = ok(await client.auth.getToken(CREDS.clientId, CREDS.clientSecret), "auth.getToken");
  check(typeof tokenResult.access_token === "string" && tokenResult.access_token.length > 20,
    "auth.getToken: no access_token", tokenResult);
  equal(tokenResult.token_type, "Bearer", "auth.getToken: token_type");
  check(typeof tokenResult.expires_in === "string", "auth.getToken: expires_in must be a string", tokenResult);
  const token = tokenResult.access_token;

  const flows = {
    qr: await fullLifecycle(client, token, "QR"),
    push: await fullLifecycle(client, token, "PUSH_MESSAGE"),
    terminated: await cancelBeforeApproval(client, token),
  };

  const withoutKey = exchanges.filter((x) => !x.request.headers["idempotency-key"]);
  check(withoutKey.length === 0, "the SDK sent a request without Idempotency-Key",
    withoutKey.map((x) => x.request.path));

  const sdkHeaders = exchanges[0].request.headers;
  return {
    ok: true,
    sdk: { name: "@vippsmobilepay/sdk", version: SDK_VERSION, userAgent: sdkHeaders["user-agent"] },
    kasse: KASSE_URL,
    token: { token_type: tokenResult.token_type, expires_in: tokenResult.expires_in },
    flows,
    requests: exchanges.length,
    methods: [...new Set(exchanges.map((x) => `${x.request.method} ${x.request.path.replace(/node-sdk-[^/]+/, "{ref}")}`))],
  };
}

try {
  const summary = await main();
  process.stdout.write(`${JSON.stringify(summary)}\n`);
} catch (err) {
  const last = lastExchange();
  process.stderr.write(`kasse Node SDK check FAILED: ${err instanceof CheckFailed ? err.message : err.stack}\n`);
  if (last) process.stderr.write(`last exchange: ${JSON.stringify(last, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify({ ok: false, error: String(err.message ?? err), requests: exchanges.length })}\n`);
  process.exit(1);
}
