// The inspector served by `colivara-webhooks listen --forward-to`, in a real headless
// browser: deliveries sent by the CLI and signed by the `svix` package appear live with the
// right verdicts and the app's answers; filters, replay, copying out, paging and escaping
// work; no console errors. Each test finds its own deliveries by id, never by row number.
import { execFile } from "node:child_process";
import { mkdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import type { Browser, Locator, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Delivery, failPayload, newId, newSecret, sign, successPayload } from "../conformance/deliveries.js";
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
    const inspector = (await listener.waitFor(/Inspector: (http:\/\/127\.0\.0\.1:\d+\/inspector)/))[1] as string;
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    page.on("console", (message) => {
      if (message.type() === "error" || message.type() === "warning") problems.push(message.text());
    });
    page.on("pageerror", (error) => problems.push(error.message));
    await page.goto(inspector);
    await page.locator("#conn.live").waitFor();
  });
  afterEach(() => {
    expect(problems).toEqual([]);
  });
  afterAll(async () => {
    await browser?.close();
    await listener?.stop();
    await example?.stop();
  });

  const rows = () => page.locator("#list li.row");
  /** The rows of one delivery id, oldest first (a copy as it was shares the id). */
  const byId = (id: string) => page.locator(`#list li.row[data-id="${id}"]`);
  const detail = () => page.locator("#detail");
  const seqOf = async (row: Locator) => Number(await row.getAttribute("data-seq"));
  const post = (delivery: { body: string; headers: Record<string, string> }) =>
    fetch(url, { method: "POST", body: delivery.body, headers: delivery.headers });

  async function posted(delivery: Delivery): Promise<Locator> {
    await post(delivery);
    const row = byId(delivery.id).first();
    await row.waitFor();
    return row;
  }

  it("shows what `send --all` sent, live, each with its verdict, its reason and the app's answer", async () => {
    const run = await runCli(["send", url, "--all", "--json"], { COLIVARA_WEBHOOK_SECRET: current });
    expect(run.code).toBe(EXIT.ok);
    const ids = Object.fromEntries(
      (JSON.parse(run.stdout).results as Array<{ delivery: string; id: string }>).map((r) => [r.delivery, r.id]),
    ) as Record<"valid" | "tamper" | "stale" | "replay", string>;
    await expect.poll(() => byId(ids.replay).count()).toBe(2);
    const verdicts = await byId(ids.replay).evaluateAll((items) => items.map((li) => li.getAttribute("data-verdict")));
    expect(verdicts.sort()).toEqual(["accepted", "duplicate"]);
    expect(await byId(ids.valid).getAttribute("data-verdict")).toBe("accepted");
    // Each rejected row says why.
    expect(await byId(ids.tamper).locator(".reason").textContent()).toBe("invalid_signature");
    expect(await byId(ids.stale).locator(".reason").textContent()).toBe("timestamp_too_old");
    expect(await byId(ids.valid).locator(".reason").count()).toBe(0);

    await byId(ids.tamper).click();
    await expect.poll(() => detail().locator(".code").textContent()).toBe("invalid_signature");
    expect(await detail().locator(".app").textContent()).toMatch(/^401 in [\d.]+ ms$/);
    // One duration per answer: the app's, in its own box.
    expect(await detail().locator(".answered").textContent()).toBe("401 by your app (below)");
    // A rejected delivery's type is the body's claim, and the page says what that means.
    expect(await byId(ids.tamper).locator(".tag.claimed").getAttribute("title")).toContain("Not verified");
    expect(await detail().locator(".type-fact").textContent()).toContain("as claimed: Not verified");

    await byId(ids.stale).click();
    await expect.poll(() => detail().locator(".code").textContent()).toBe("timestamp_too_old");
    expect(await detail().textContent()).toMatch(/signed 60\d s before it arrived/);
    expect(await detail().locator(".secret").textContent()).toBe("secret #0 of 2 (index in the configured list)");

    await byId(ids.valid).click();
    await expect.poll(() => detail().locator(".app").textContent()).toMatch(/^200 in [\d.]+ ms$/);
    expect(await detail().locator("pre.app-body").textContent()).toContain('"received": true');
    expect(await detail().locator("table.headers").textContent()).toMatch(/svix-signaturev1,[\w+/]{8}…/);
  });

  it("shows a delivery signed by the svix package with the previous secret as secret #1", async () => {
    const delivery = sign(previous, failPayload({ name: "svix-signed.pdf" }));
    const row = await posted(delivery);
    await row.click();
    expect(await row.getAttribute("data-verdict")).toBe("accepted");
    await expect
      .poll(() => detail().locator(".secret").textContent())
      .toBe("secret #1 of 2 (index in the configured list)");
    expect(await detail().locator("pre.delivery-body").textContent()).toContain('"name": "svix-signed.pdf"');
  });

  it("filters by verdict and by type", async () => {
    await posted(sign(newSecret(), successPayload()));
    await posted(sign(current, failPayload()));
    const all = await rows().count();
    const verdicts = () => rows().evaluateAll((items) => items.map((li) => li.getAttribute("data-verdict")));
    const rejected = (await verdicts()).filter((v) => v === "rejected").length;
    await page.selectOption("#f-verdict", "rejected");
    expect(await rows().count()).toBe(rejected);
    expect(new Set(await verdicts())).toEqual(new Set(["rejected"]));
    await page.selectOption("#f-verdict", "all");
    await page.selectOption("#f-type", "upsert.fail");
    const types = await rows().evaluateAll((items) => items.map((li) => li.querySelector(".type")?.textContent));
    expect(types.length).toBeGreaterThan(0);
    expect(new Set(types)).toEqual(new Set(["upsert.fail"]));
    await page.selectOption("#f-type", "all");
    expect(await rows().count()).toBe(all);
  });

  it("replays: re-signed it is accepted again; as it was it is refused as a duplicate, and says so", async () => {
    const row = await posted(sign(current, successPayload({ name: "replayed.pdf" })));
    const seq = await seqOf(row);
    const copies = page.locator("#list li.row", { hasText: `replay of #${seq}` });
    await row.click();
    await page.click('button[data-mode="resign"]');
    await expect
      .poll(() => page.locator("#note").textContent())
      .toMatch(new RegExp(`^Replay of #${seq} re-signed \\(#\\d+\\): accepted, as expected$`));
    await expect.poll(() => copies.count()).toBe(1);
    expect(await copies.first().getAttribute("data-verdict")).toBe("accepted");

    await row.click();
    await page.click('button[data-mode="as-is"]');
    await expect
      .poll(() => page.locator("#note").textContent())
      .toMatch(new RegExp(`^Replay of #${seq} as it was \\(#\\d+\\): refused as duplicate, as expected$`));
    await expect.poll(() => copies.count()).toBe(2);
    const duplicate = page.locator('#list li.row[data-verdict="duplicate"]', { hasText: `replay of #${seq}` });
    await duplicate.click();
    expect(await detail().textContent()).toContain(`Replay of#${seq} (as-is)`);
    expect(await detail().locator(".app").textContent()).toMatch(/^200 in/);
    expect(await detail().locator("pre.app-body").textContent()).toContain('"duplicate": true');
  });

  it("shows a body holding markup as text: nothing from a delivery runs", async () => {
    const hostile = "<script>window.__pwned = 1</script><img src=x onerror=window.__pwned=2>";
    const row = await posted(sign(current, successPayload({ name: hostile })));
    await row.click();
    await expect.poll(() => detail().locator("pre.delivery-body").textContent()).toContain(hostile);
    expect(await page.locator("#detail img, #detail script").count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  });

  it("copies a delivery out: a curl command that sends it again, and a file verify reads back", async () => {
    const row = await posted(sign(previous, failPayload({ name: "copied.pdf" })));
    const seq = await seqOf(row);
    await row.click();
    await page.click("button.copy-curl");
    await page.locator("#copied:not([hidden])").waitFor();
    const curl = (await page.locator("#copied").textContent()) ?? "";
    expect(curl).toMatch(/^curl -X POST 'http:\/\/127\.0\.0\.1:\d+\/webhooks\/colivara'/);
    expect(curl).toMatch(/-H 'svix-signature: v1,[\w+/]{43}='/);
    expect(curl).not.toContain("…");
    // The command is real: run it and the same delivery arrives again, refused as a duplicate.
    const answer = await new Promise<string>((resolve, reject) =>
      execFile("sh", ["-c", curl], (error, stdout) => (error ? reject(error) : resolve(stdout))),
    );
    expect(JSON.parse(answer)).toEqual({ duplicate: true });

    const download = page.waitForEvent("download");
    await page.click("button.save-file");
    const file = `${artifacts}delivery-${seq}.json`;
    await mkdir(artifacts, { recursive: true });
    await (await download).saveAs(file);
    const run = await runCli(["verify", file], { COLIVARA_WEBHOOK_SECRET: `${current},${previous}` });
    expect(run.code).toBe(EXIT.ok);
    expect(run.stdout).toContain("valid: upsert.fail");
  });

  it("says when a body was cut", async () => {
    const id = newId();
    const big = `{"type":"upsert.success","name":"${"x".repeat(100 * 1024)}"}`;
    expect((await post({ body: big, headers: { "svix-id": id } })).status).toBe(401);
    await byId(id).click();
    await expect
      .poll(() => detail().locator("p.cut").textContent())
      .toContain(`Cut: showing the first 64 KiB of ${big.length} bytes`);
  });

  it("draws one timeline mark per delivery, and keeps the session's history across a reload", async () => {
    const shown = await rows().count();
    expect(await page.locator("#timeline g.tick").count()).toBe(shown);
    expect(await page.locator("#timeline rect.answer").count()).toBe(shown);
    await page.reload();
    await page.locator("#conn.live").waitFor();
    await expect.poll(() => rows().count()).toBe(shown);
    await mkdir(artifacts, { recursive: true });
    await page.screenshot({ path: `${artifacts}inspector.png`, fullPage: true });
  });

  it("gets the newest 50 deliveries on connecting, and pages older ones in on request", async () => {
    for (let i = 0; i < 50; i++) await post({ body: `{"n":${i}}`, headers: { "svix-id": newId() } });
    await page.reload();
    await page.locator("#conn.live").waitFor();
    await expect.poll(() => rows().count()).toBe(50);
    await page.click("button.older");
    await expect.poll(() => rows().count()).toBeGreaterThan(50);
  });
});
