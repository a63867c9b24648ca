// The docs' "Testing your route" sample is a user's test file: it is run as one,
// by Vitest in a child process, and must pass. Its deliveries come from our signWebhook (that
// is what it shows users), so the signatures signWebhook makes for the sample's secret are
// checked here against the independent signer.
import { rmSync } from "node:fs";
import { signWebhook, upsertSuccessEvent } from "@colivara/webhooks/testing";
import { afterAll, describe, expect, it } from "vitest";
import { keyOf, signatureOf } from "../support/independent-signer.js";
import { root, samplesOf } from "./readme-samples.js";
import { runAsUserTestFile } from "./user-test-file.js";

const sample = samplesOf("docs/testing/your-tests.md").find((s) => s.code.includes('from "supertest"'));
const dir = `${root}.samples-supertest/`;

describe("docs: testing your route with supertest", () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("is in the docs and exercises a genuine, a replayed and a forged delivery", () => {
    expect(sample?.code).toContain("signWebhook");
    expect(sample?.code).toMatch(/toBe\(204\)/);
    expect(sample?.code).toMatch(/duplicate: true/);
    expect(sample?.code).toMatch(/toBe\(401\)/);
  });

  it("passes when run as the user's own test file", () => {
    const { status, output } = runAsUserTestFile(dir, sample?.code ?? "");
    expect(status, output).toBe(0);
    expect(output).toMatch(/Tests\s+1 passed \(1\)/);
  });

  it("signs, with the sample's secret, exactly as the independent signer does", () => {
    const secret = /const secret = "(whsec_[^"]+)"/.exec(sample?.code ?? "")?.[1] ?? "";
    expect(keyOf(secret)).toHaveLength(24);
    const delivery = signWebhook({ secret, payload: upsertSuccessEvent({ id: 42 }), id: "msg_sample", timestamp: 1 });
    expect(delivery.headers["svix-signature"]).toBe(signatureOf(secret, "msg_sample", 1, delivery.body));
  });
});
