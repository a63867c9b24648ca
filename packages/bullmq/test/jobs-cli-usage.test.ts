// The built `colivara-webhooks-jobs` bin's wrong usage: an unknown option or a missing id
// exits 2 with the usage, as the core's runDeadLetterCommand does for a wrong command.
import { expect, test } from "vitest";
import { type RedisServer, startRedisServer } from "../../../test/support/redis-server.js";
import { jobsCli } from "./support/http.js";

test("an unknown option exits 2 with the usage, before reaching Redis", async () => {
  const run = await jobsCli(["list", "--redis-url", "redis://127.0.0.1:1", "--bogus"]);
  expect(run.code).toBe(2);
  expect(run.stderr).toContain("Unknown option '--bogus'");
  expect(run.stderr).toContain("Usage: colivara-webhooks-jobs");
});

test("a command without its id exits 2 with the usage", async () => {
  const redis: RedisServer = await startRedisServer();
  try {
    const run = await jobsCli(["show", "--redis-url", redis.url]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("Usage: colivara-webhooks-jobs");
  } finally {
    await redis.stop();
  }
});
