// The default stderr log under a flood of forged requests, over real HTTP through Fastify: the
// forged refusals are paced (10 a window, then one summary line that says what it summed up,
// by code), but the warnings (an invalid-signature burst, a drifting clock) and a genuine
// delivery's refusal are always written and never counted among the forged ones. Only `Date`
// is faked, so the window can end without waiting a minute; sockets and timers are real.
import fastify, { type FastifyInstance } from "fastify";
import { afterEach, expect, it, vi } from "vitest";
import { newSecret, sign, successPayload } from "../../../test/conformance/deliveries.js";
import colivaraWebhooks from "../src/index.js";

const secret = newSecret();
let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  vi.useRealTimers();
  vi.restoreAllMocks();
});

it("paces forged refusals only, and its summary names their codes and counts", async () => {
  vi.useFakeTimers({ toFake: ["Date"], now: new Date("2026-12-07T06:00:00Z") });
  const written: string[] = [];
  vi.spyOn(console, "warn").mockImplementation((line: unknown) => void written.push(String(line)));
  app = fastify();
  await app.register(colivaraWebhooks, { secret });
  app.post("/hook", { config: { colivara: true } }, async (_request, reply) => reply.code(204).send());
  const base = await app.listen({ port: 0, host: "127.0.0.1" });
  const post = async (delivery: { body: string; headers: Record<string, string> }) =>
    (await fetch(`${base}/hook`, { method: "POST", body: delivery.body, headers: delivery.headers })).status;
  const forged = () => ({
    ...sign(secret, successPayload()),
    headers: { ...sign(newSecret(), successPayload()).headers },
  });
  const now = () => Math.floor(Date.now() / 1000);

  for (let i = 0; i < 12; i++) expect(await post(forged())).toBe(401);
  for (let i = 0; i < 2; i++)
    expect(await post(sign(newSecret(), successPayload(), { timestamp: now() - 900 }))).toBe(401);
  // Genuine, from a sender whose clock is 200 s behind: accepted, and the drift is worth a warning.
  expect(await post(sign(secret, successPayload(), { timestamp: now() - 200 }))).toBe(204);
  // Genuine, and refused: its body does not fit the event's schema.
  const refused = sign(secret, { type: "upsert.success", message: "no id" });
  expect(await post(refused)).toBe(400);

  expect(written.slice(0, 10).every((line) => line.includes(" 401 invalid_signature"))).toBe(true);
  expect(written[10]).toMatch(/^\[colivara-webhooks\] warning invalid_signature_burst: 10 requests/);
  expect(written[11]).toMatch(/^\[colivara-webhooks\] warning clock_drift: Delivery msg_\w+ was signed 200 s ago/);
  expect(written[12]).toMatch(
    new RegExp(
      `^\\[colivara-webhooks\\] 400 invalid_payload ${refused.id} from 127\\.0\\.0\\.1: The signature is valid but the payload`,
    ),
  );
  expect(written).toHaveLength(13);

  vi.setSystemTime(Date.now() + 60_000);
  expect(await post(forged())).toBe(401);
  expect(written[13]).toBe(
    "[colivara-webhooks] 4 more refusals of unverified requests in the last 60 s not shown: invalid_signature 2, timestamp_too_old 2. Pass a logger as the log option to record every attempt.",
  );
  expect(written[14]).toMatch(/ 401 invalid_signature/);
  expect(written).toHaveLength(15);
});
