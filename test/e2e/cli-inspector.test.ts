// The inspector served by `colivara-webhooks listen --forward-to`, in a real headless
// browser: deliveries sent by the CLI and signed by the `svix` package appear live with the
// right verdicts and the app's answers; filters, replay and escaping work; no console errors.
import { mkdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failPayload, newSecret, sign, successPayload } from "../conformance/deliveries.js";
import {
  cleanEnv,
  cliPath,
  EXIT,
  type ExampleServer,
  type Running,
  repoRoot,
  runCli,
  startExample,
  startProcess,
} from "./cli-support.js";
import { launchChromium } from "./inspector-browser.js";

const artifacts = fileURLToPath(new URL("./.artifacts/", import.meta.url));

describe("the inspector in a browser (listen --forward-to examples/express)", () => {
  const [current, previous] = [newSecret(), newSecret()];
  let example: ExampleServer;
  let listener: Running;
  let url: string;
  let inspector: string;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    example = await startExample(`${current},${previous}`);
    listener = startProcess([cliPath, "listen", "--port", "0", "--forward-to", example.url], {
      cwd: repoRoot,
      env: cleanEnv({ COLIVARA_WEBHOOK_SECRET: `${current},${previous}` }),
    });
    url = (await listener.waitFor(/Listening on (http:\/\/127\.0\.0\.1:\d+\/webhooks\/colivara)/))[1] as string;
    inspector = (await listener.waitFor(/Inspector: (http:\/\/127\.0\.0\.1:\d+\/inspector)/))[1] as string;
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on("console", (message) => {
      if (message.type() === "error" || message.type() === "warning") problems.push(message.text());
    });
    page.on("pageerror", (error) => problems.push(error.message));
    await page.goto(inspector);
    await page.locator("#conn.live").waitFor();
  });
  afterAll(async () => {
    await browser?.close();
    await listener?.stop();
    await example?.stop();
  });

  const rows = () => page.locator("#list li.row");
  const row = (seq: number) => page.locator(`#list li.row[data-seq="${seq}"]`);
  const post = (delivery: { body: string; headers: Record<string, string> }) =>
    fetch(url, { method: "POST", body: delivery.body, headers: delivery.headers });

  it("shows what `send --all` sent, live, with the verdicts and the app's answers", async () => {
    const run = await runCli(["send", url, "--all"], { COLIVARA_WEBHOOK_SECRET: current });
    expect(run.code).toBe(EXIT.ok);
    await expect.poll(() => rows().count()).toBe(5);
    const verdicts = await rows().evaluateAll((items) => items.map((li) => li.getAttribute("data-verdict")).reverse());
    expect(verdicts).toEqual(["accepted", "rejected", "rejected", "accepted", "duplicate"]);
    // Each rejected row says why.
    expect(await row(2).locator(".reason").textContent()).toBe("invalid_signature");
    expect(await row(3).locator(".reason").textContent()).toBe("timestamp_too_old");
    expect(await row(1).locator(".reason").count()).toBe(0);
    await row(2).click();
    const detail = page.locator("#detail");
    await expect.poll(() => detail.locator(".code").textContent()).toBe("invalid_signature");
    await expect.poll(() => detail.locator(".app").textContent()).toMatch(/^401 in [\d.]+ ms$/);
    // One duration per answer: the app's, in its own box.
    expect(await detail.locator(".answered").textContent()).toBe("401 by your app (below)");
    // A rejected delivery's type is the body's claim, and the page says what that means.
    expect(await row(2).locator(".tag.claimed").getAttribute("title")).toContain("Not verified");
    expect(await detail.locator(".type-fact").textContent()).toContain("as claimed: Not verified");
    await row(3).click();
    await expect.poll(() => detail.locator(".code").textContent()).toBe("timestamp_too_old");
    expect(await detail.textContent()).toMatch(/signed 60\d s before it arrived/);
    expect(await detail.locator(".secret").textContent()).toBe("secret #0 of 2 (index in the configured list)");
    await row(1).click();
    expect(await detail.locator(".app").textContent()).toMatch(/^200 in [\d.]+ ms$/);
    expect(await detail.locator("pre.app-body").textContent()).toContain('"received": true');
    expect(await detail.locator("table.headers").textContent()).toMatch(/svix-signaturev1,[\w+/]{8}…/);
  });

  it("shows a delivery signed by the svix package with the previous secret as secret #1", async () => {
    const delivery = sign(previous, failPayload({ name: "svix-signed.pdf" }));
    expect((await post(delivery)).status).toBe(200);
    await row(6).waitFor();
    await row(6).click();
    const detail = page.locator("#detail");
    expect(await row(6).getAttribute("data-verdict")).toBe("accepted");
    expect(await detail.locator(".secret").textContent()).toBe("secret #1 of 2 (index in the configured list)");
    expect(await detail.locator("pre.delivery-body").textContent()).toContain('"name": "svix-signed.pdf"');
  });

  it("filters by verdict and by type", async () => {
    await page.selectOption("#f-verdict", "rejected");
    expect(await rows().count()).toBe(2);
    await page.selectOption("#f-verdict", "all");
    await page.selectOption("#f-type", "upsert.fail");
    expect(await rows().evaluateAll((items) => items.map((li) => li.getAttribute("data-seq")))).toEqual(["6"]);
    await page.selectOption("#f-type", "all");
    expect(await rows().count()).toBe(6);
  });

  it("replays: re-signed it is accepted again; as it was it is refused as a duplicate", async () => {
    await row(6).click();
    await page.click('button[data-mode="resign"]');
    await row(7).waitFor();
    expect(await row(7).getAttribute("data-verdict")).toBe("accepted");
    expect(await row(7).locator(".tag").textContent()).toBe("replay of #6");
    await row(6).click();
    await page.click('button[data-mode="as-is"]');
    await row(8).waitFor();
    expect(await row(8).getAttribute("data-verdict")).toBe("duplicate");
    await expect
      .poll(() => page.locator("#note").textContent())
      .toBe("Replay of #6 as it was (#8): refused as duplicate, as expected");
    await row(8).click();
    expect(await page.locator("#detail").textContent()).toContain("Replay of#6 (as-is)");
    expect(await page.locator("#detail .app").textContent()).toMatch(/^200 in/);
    expect(await page.locator("#detail pre.app-body").textContent()).toContain('"duplicate": true');
  });

  it("shows a body holding markup as text: nothing from a delivery runs", async () => {
    const hostile = "<script>window.__pwned = 1</script><img src=x onerror=window.__pwned=2>";
    const delivery = sign(current, successPayload({ name: hostile }));
    expect((await post(delivery)).status).toBe(200);
    await row(9).waitFor();
    await row(9).click();
    expect(await page.locator("#detail pre.delivery-body").textContent()).toContain(hostile);
    expect(await page.locator("#detail img, #detail script").count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  });

  it("draws one timeline mark per delivery, and the page logged no errors", async () => {
    expect(await page.locator("#timeline g.tick").count()).toBe(9);
    expect(await page.locator("#timeline rect.answer").count()).toBe(9);
    // The history is the session's: a reloaded page gets every delivery back.
    await page.reload();
    await page.locator("#conn.live").waitFor();
    await expect.poll(() => rows().count()).toBe(9);
    await row(2).click();
    await mkdir(artifacts, { recursive: true });
    await page.screenshot({ path: `${artifacts}inspector.png`, fullPage: true });
    expect(problems).toEqual([]);
  });

  it("copies a delivery out: a curl command that replays it, and a file verify reads back", async () => {
    await row(6).click();
    await page.click("button.copy-curl");
    await page.locator("#copied:not([hidden])").waitFor();
    const curl = (await page.locator("#copied").textContent()) ?? "";
    expect(curl).toMatch(/^curl -X POST 'http:\/\/127\.0\.0\.1:\d+\/webhooks\/colivara'/);
    expect(curl).toMatch(/-H 'svix-signature: v1,[\w+/]{43}='/);
    expect(curl).not.toContain("…");
    // The command is real: run it and the same delivery arrives again, refused as a duplicate.
    const { execFile } = await import("node:child_process");
    const answer = await new Promise<string>((resolve, reject) =>
      execFile("sh", ["-c", curl.replace(/\\\n/g, " ")], (error, stdout) => (error ? reject(error) : resolve(stdout))),
    );
    expect(JSON.parse(answer)).toEqual({ duplicate: true });

    const download = page.waitForEvent("download");
    await page.click("button.save-file");
    const file = `${artifacts}delivery-6.json`;
    await mkdir(artifacts, { recursive: true });
    await (await download).saveAs(file);
    const run = await runCli(["verify", file], { COLIVARA_WEBHOOK_SECRET: `${current},${previous}` });
    expect(run.code).toBe(EXIT.ok);
    expect(run.stdout).toContain("valid: upsert.fail");
  });

  it("says when a body was cut, and pages older deliveries in on request", async () => {
    const big = `{"type":"upsert.success","name":"${"x".repeat(100 * 1024)}"}`;
    const before = await rows().count();
    expect((await fetch(url, { method: "POST", body: big })).status).toBe(401);
    await expect.poll(() => rows().count()).toBe(before + 1);
    const seq = Number(await rows().first().getAttribute("data-seq"));
    await row(seq).click();
    expect(await page.locator("#detail p.cut").textContent()).toContain(
      `Cut: showing the first 64 KiB of ${big.length} bytes`,
    );
    for (let i = 0; i < 50; i++) await fetch(url, { method: "POST", body: `{"n":${i}}` });
    await page.reload();
    await page.locator("#conn.live").waitFor();
    await expect.poll(() => rows().count()).toBe(50);
    await page.click("button.older");
    await expect.poll(() => rows().count()).toBeGreaterThan(50);
    expect(await row(1).count()).toBe(1);
    expect(problems).toEqual([]);
  });
});
