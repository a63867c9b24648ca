// The inspector screenshots in docs/, made against a real listener (the built package) in
// Debian's chromium: the list with its failure codes, and a selected rejected delivery.
// Run after `pnpm build`: node packages/cli/scripts/inspector-screenshots.mjs
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { signWebhook } from "@colivara/webhooks/testing";
import { startListener } from "@colivara/webhooks-cli";
import { chromium } from "playwright-core";

const docs = fileURLToPath(new URL("../../../docs/", import.meta.url));
const secret = `whsec_${randomBytes(24).toString("base64")}`;
const now = () => Math.floor(Date.now() / 1000);

const success = {
  type: "upsert.success",
  message: "Upsert successful",
  id: 4242,
  name: "annual-report-2025.pdf",
  metadata: { team: "finance" },
  url: "https://example.com/annual-report-2025.pdf",
  num_pages: 48,
  collection_name: "default_collection",
};
const failure = {
  type: "upsert.fail",
  message: "Upsert failed",
  name: "scan-0007.tiff",
  metadata: {},
  collection_name: "default_collection",
  error: "Could not convert the document to images",
};

/** What the sender, an attacker and a broken proxy send, in order. */
function deliveries() {
  const genuine = signWebhook({ secret, payload: success });
  const tampered = signWebhook({ secret, payload: success });
  const stale = signWebhook({ secret, payload: failure, timestamp: now() - 900 });
  const otherSecret = signWebhook({ secret: `whsec_${randomBytes(24).toString("base64")}`, payload: failure });
  const { "svix-signature": _, ...unsigned } = signWebhook({ secret, payload: success }).headers;
  return [
    genuine,
    { body: tampered.body.replace("annual", "Annual"), headers: tampered.headers },
    stale,
    signWebhook({ secret, payload: failure }),
    otherSecret,
    { body: JSON.stringify(success), headers: unsigned },
    genuine,
  ];
}

const listener = await startListener({ port: 0, secret: [secret], onDelivery: () => {} });
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
});
try {
  const all = deliveries();
  for (const [index, delivery] of all.entries()) {
    // A pause before the last two, so the timeline shows how it marks one.
    if (index === all.length - 2) await new Promise((resolve) => setTimeout(resolve, 11_000));
    await (await fetch(listener.url, { method: "POST", body: delivery.body, headers: delivery.headers })).text();
  }
  const page = await browser.newPage({ viewport: { width: 1280, height: 820 }, deviceScaleFactor: 1 });
  await page.goto(listener.inspectorUrl);
  await page.locator("#conn.live").waitFor();
  await page.locator('#list li.row[data-seq="7"]').waitFor();
  await page.locator('#list li.row[data-seq="1"]').click();
  await page.screenshot({ path: `${docs}inspector-list.png` });
  await page.locator('#list li.row[data-seq="2"]').click();
  await page.screenshot({ path: `${docs}inspector-rejected.png`, fullPage: true });
  process.stdout.write(`wrote ${docs}inspector-list.png and ${docs}inspector-rejected.png\n`);
} finally {
  await browser.close();
  await listener.close();
}
