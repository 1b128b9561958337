// The README's TypeScript example: file a case, subscribe a webhook, refund, verify a
// delivery, typed by clients/typescript/redress.d.ts (tests/unit/test_clients_drift.py
// type-checks it with tsc --strict).
import { createHmac, timingSafeEqual } from "node:crypto";
import type { components, paths } from "../typescript/redress";

type Schemas = components["schemas"];
type Problem = Schemas["ProblemDetails"];

async function call<T>(base: string, key: string, path: string, body: unknown): Promise<T> {
  const answer = await fetch(base + path, {
    method: "POST",
    headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!answer.ok) {
    const problem = (await answer.json()) as Problem; // problem.type: a page that says why
    throw new Error(`${problem.status} ${problem.title}: ${problem.detail} (${problem.type})`);
  }
  return (await answer.json()) as T;
}

export function fileCase(base: string, consumerKey: string, storeId: string) {
  const body: paths["/v1/cases"]["post"]["requestBody"]["content"]["application/json"] = {
    platform: "biggrey",
    store_id: storeId,
    kind: "warranty_claim",
    order: { reference: "ORD-10017", amount: "120.00", currency: "GBP" },
    description: "The hinge broke after a week.",
  };
  return call<Schemas["CasePublic"]>(base, consumerKey, "/v1/cases", body);
}

export function subscribeWebhook(base: string, storeKey: string, url: string) {
  const body: Schemas["WebhookCreate"] = { url, event_types: ["case.submitted", "case.refunded"] };
  return call<Schemas["WebhookCreated"]>(base, storeKey, "/v1/webhooks", body); // .secret once
}

export function refundInPart(base: string, storeKey: string, caseId: string) {
  const body: Schemas["RefundIn"] = { amount: "40.00", currency: "GBP", payer: "store" };
  return call<Schemas["CasePublic"]>(base, storeKey, `/v1/cases/${caseId}/refunds`, body);
}

// Standard Webhooks: HMAC-SHA256 of `id.timestamp.body` with the secret's bytes.
export function verified(secret: string, headers: Record<string, string>, body: string): boolean {
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const signed = `${headers["webhook-id"]}.${headers["webhook-timestamp"]}.${body}`;
  const expected = Buffer.from("v1," + createHmac("sha256", key).update(signed).digest("base64"));
  return headers["webhook-signature"].split(" ").some((given) => {
    const candidate = Buffer.from(given);
    return candidate.length === expected.length && timingSafeEqual(candidate, expected);
  });
}
