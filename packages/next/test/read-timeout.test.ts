import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { NextApiRequest, NextApiResponse } from "next";
import { it } from "vitest";
import { newSecret } from "../../../test/conformance/deliveries.js";
import { expectSlowUploadCutOff } from "../../../test/conformance/read-timeout.js";
import { withColivaraWebhookPages } from "../src/index.js";

it("cuts off a Pages Router client that trickles its body after readTimeoutMs with 408", async () => {
  const handled: string[] = [];
  const route = withColivaraWebhookPages(
    ({ id }) => {
      handled.push(id);
    },
    { secret: newSecret(), readTimeoutMs: 300 },
  );
  // The wrapper only needs Node's request and response: what Next passes with bodyParser off.
  const server = createServer((req, res) => void route(req as NextApiRequest, res as NextApiResponse));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    await expectSlowUploadCutOff(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, () => handled);
  } finally {
    server.closeAllConnections();
    server.close();
  }
});
