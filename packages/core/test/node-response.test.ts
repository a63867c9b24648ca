// watchAnswer on a real node:http server: the claim follows the user's answer, also
// when the sender hung up before it (the load suite's hang-past-timeout case, in small).
import { createServer, request, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, expect, it, vi } from "vitest";
import { eventually } from "../../../test/support/eventually.js";
import { watchAnswer } from "../src/pipeline/node-response.js";

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

/**
 * A server whose handler attaches watchAnswer to each response and leaves answering
 * to the test; `deliver` sends one request and, with `hangUp`, destroys it once the server
 * has it (a sender giving up), resolving when the server has seen the connection close.
 */
async function serve(settle: (status: number) => void) {
  const responses: ServerResponse[] = [];
  const server = createServer((_req, res) => {
    watchAnswer(res, settle);
    responses.push(res);
  });
  server.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  close = () => new Promise((resolve) => server.close(() => resolve()));
  const { port } = server.address() as AddressInfo;

  return {
    async hangUp(): Promise<ServerResponse> {
      const req = request({ host: "127.0.0.1", port, method: "POST", agent: false });
      req.on("error", () => {});
      req.end("{}");
      await eventually(() => expect(responses).toHaveLength(1));
      const res = responses[0] as ServerResponse;
      const closed = new Promise((resolve) => res.once("close", resolve));
      req.destroy();
      await closed;
      return res;
    },
    async answered(status: number): Promise<number> {
      const answer = new Promise<number>((resolve, reject) => {
        const req = request({ host: "127.0.0.1", port, method: "POST", agent: false });
        req.on("response", (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode ?? 0));
        });
        req.on("error", reject);
        req.end("{}");
      });
      await eventually(() => expect(responses).toHaveLength(1));
      const res = responses[0] as ServerResponse;
      res.statusCode = status;
      res.end();
      return answer;
    },
  };
}

it("keeps the claim while the handler runs after the sender hung up, then settles with its answer", async () => {
  const settle = vi.fn((_status: number) => {});
  const res = await (await serve(settle)).hangUp();
  // The connection is gone, the handler has not answered: the claim must stay.
  expect(settle).not.toHaveBeenCalled();
  res.statusCode = 200;
  res.end("{}");
  expect(settle.mock.calls).toEqual([[200]]);
});

it("gives the claim back when the late answer is not a 2xx, once", async () => {
  const settle = vi.fn((_status: number) => {});
  const res = await (await serve(settle)).hangUp();
  res.statusCode = 500;
  res.end();
  res.end();
  expect(settle.mock.calls).toEqual([[500]]);
});

it("settles once with the answer when the sender is still there", async () => {
  const settle = vi.fn((_status: number) => {});
  expect(await (await serve(settle)).answered(204)).toBe(204);
  await eventually(() => expect(settle).toHaveBeenCalled());
  expect(settle.mock.calls).toEqual([[204]]);
});
