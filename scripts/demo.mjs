// `pnpm demo`: the pack at work in one command. Starts examples/express on 127.0.0.1 with
// a freshly generated secret, sends it five deliveries with the colivara-webhooks CLI (a
// genuine success, a genuine failure, a tampered, a stale and a replayed one), prints what
// happened, and stops the server. Exit code 0 when every delivery got the answer it should.
//
//   pnpm demo                        node scripts/demo.mjs --build: builds the packages quietly
//                                    (their output is shown only if the build fails), then runs
//   node scripts/demo.mjs            run it on an existing build
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const cli = fileURLToPath(new URL("../packages/cli/dist/cli.mjs", import.meta.url));
const exampleDir = fileURLToPath(new URL("../examples/express/", import.meta.url));

const color =
  !process.env.NO_COLOR &&
  (process.env.FORCE_COLOR ? !/^(0|false)$/.test(process.env.FORCE_COLOR) : process.stdout.isTTY);
const paint = (code) => (text) => (color ? `\u001b[${code}m${text}\u001b[0m` : text);
const green = paint(32);
const red = paint(31);
const dim = paint(2);
const bold = paint(1);

const DELIVERIES = [
  { name: "valid success", args: ["--event", "upsert.success"] },
  { name: "valid failure", args: ["--event", "upsert.fail"] },
  { name: "tampered", args: ["--tamper"] },
  { name: "stale (10 min)", args: ["--stale"] },
  { name: "replayed", args: ["--replay"] },
];

/** Runs a command to its end; resolves to its exit code and output. */
function run(command, args, env = process.env) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.setEncoding("utf8").on("data", (chunk) => {
      stderr += chunk;
    });
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs the CLI; resolves to its exit code and output (it exits 1 when an endpoint misbehaves). */
function runCli(args, env = {}) {
  return run(process.execPath, [cli, ...args], { ...process.env, NO_COLOR: "1", FORCE_COLOR: undefined, ...env });
}

/**
 * `pnpm build`, its output kept back: a first run shows the demo's table, not two hundred
 * lines of bundler output. A failed build prints what it said and ends the demo.
 */
async function buildQuietly() {
  process.stdout.write(dim("building the packages (pnpm build)…\n"));
  const build = await run("pnpm", ["build"]);
  if (build.code !== 0) throw new Error(`pnpm build failed (exit ${build.code}):\n${build.stdout}${build.stderr}`);
}

/** Starts examples/express/server.js; resolves once it prints the URL it listens on. */
function startExample(secret) {
  const child = spawn(process.execPath, ["server.js"], {
    cwd: exampleDir,
    env: { ...process.env, COLIVARA_WEBHOOK_SECRET: secret, PORT: "0", HOST: "127.0.0.1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines = [];
  let stderr = "";
  let buffered = "";
  child.stdout.setEncoding("utf8").on("data", (chunk) => {
    buffered += chunk;
    const parts = buffered.split("\n");
    buffered = parts.pop() ?? "";
    lines.push(...parts.filter(Boolean));
  });
  child.stderr.setEncoding("utf8").on("data", (chunk) => {
    stderr += chunk;
  });
  const ready = new Promise((resolve, reject) => {
    const check = () => {
      const match = lines.join("\n").match(/listening on (http:\/\/\S+)/);
      if (match) {
        child.stdout.off("data", check);
        resolve(match[1]);
      }
    };
    child.stdout.on("data", check);
    child.once("exit", (code) =>
      reject(new Error(`examples/express exited with code ${code} before listening.\n${stderr}`)),
    );
  });
  return { child, lines, ready };
}

async function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await exited;
}

/** The example's JSON log lines for one delivery id. */
function logged(lines, id) {
  return lines
    .filter((line) => line.startsWith("{"))
    .map((line) => {
      try {
        return JSON.parse(line);
      } catch {
        return undefined;
      }
    })
    .filter((entry) => entry?.id === id);
}

/** Waits (up to a few seconds) for the handler's log line of each accepted delivery. */
async function settleLogs(lines, ids) {
  for (let attempt = 0; attempt < 100; attempt++) {
    if (ids.every((id) => logged(lines, id).length > 0)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function verdictText(result) {
  if (result.verdict === "fail") return `✗ ${result.outcome === "accepted" ? "ACCEPTED" : result.outcome}`;
  if (result.outcome === "duplicate") return "✓ duplicate, not re-run";
  if (result.outcome === "rejected") return `✓ rejected (${result.response.errorCode ?? result.status})`;
  return "✓ accepted";
}

function sawText(result, entries) {
  if (entries.length === 0) return "nothing: never called";
  const [first] = entries;
  const what = `${first.type}: ${first.summary}`;
  if (result.delivery === "replay" && entries.length === 1) return `${first.type} once (second copy not handled)`;
  return entries.length === 1 ? what : `${entries.length} times! ${what}`;
}

function table(header, rows) {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i].text.length)));
  const line = (cells) => cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]))).join("  ");
  const out = [
    bold(line(header)),
    dim(line(widths.map((w, i) => "─".repeat(i === widths.length - 1 ? header[i].length : w)))),
  ];
  for (const row of rows) {
    out.push(
      row
        .map((cell, i) => (i === row.length - 1 ? cell.paint(cell.text) : cell.paint(cell.text.padEnd(widths[i]))))
        .join("  "),
    );
  }
  return out.join("\n");
}

async function main() {
  if (process.argv.includes("--build")) await buildQuietly();
  if (!existsSync(cli)) {
    console.error("The CLI is not built: run `pnpm demo` (it builds first) or `pnpm build`.");
    return 2;
  }
  const generated = await runCli(["secret", "--json"]);
  if (generated.code !== 0) throw new Error(`colivara-webhooks secret failed: ${generated.stderr}`);
  const { secret } = JSON.parse(generated.stdout);

  const example = startExample(secret);
  const stopOnSignal = () => {
    example.child.kill("SIGTERM");
    process.exit(130);
  };
  process.once("SIGINT", stopOnSignal);
  try {
    const url = await example.ready;
    console.log(`${bold("ColiVara webhooks demo")}`);
    console.log(`examples/express listening on ${url}`);
    console.log(dim(`secret: ${secret.slice(0, 12)}… (generated with colivara-webhooks secret)`));
    console.log(dim(`sending with: colivara-webhooks send ${url} …\n`));

    const results = [];
    for (const delivery of DELIVERIES) {
      const run = await runCli(["send", url, "--json", ...delivery.args], { COLIVARA_WEBHOOK_SECRET: secret });
      if (run.code !== 0 && run.code !== 1) {
        throw new Error(`colivara-webhooks send ${delivery.args.join(" ")} failed (exit ${run.code}): ${run.stderr}`);
      }
      // Attack flags send a genuine delivery first; the row of interest is the last one.
      const result = JSON.parse(run.stdout).results.at(-1);
      results.push({ name: delivery.name, args: delivery.args, result });
    }
    await settleLogs(
      example.lines,
      results.filter(({ result }) => result.outcome === "accepted" || result.first).map(({ result }) => result.id),
    );

    const rows = results.map(({ name, result }) => {
      const entries = logged(example.lines, result.id);
      const status = result.first ? `${result.first.status}, ${result.status}` : String(result.status);
      const ok = result.verdict === "pass" ? green : red;
      return [
        { text: name, paint: (s) => s },
        { text: status, paint: (s) => s },
        { text: verdictText(result), paint: ok },
        { text: sawText(result, entries), paint: entries.length === 0 ? dim : (s) => s },
      ];
    });
    await stop(example.child);
    console.log(table(["delivery", "status", "verdict", "what the handler saw"], rows));

    const passed = results.filter(({ result }) => result.verdict === "pass").length;
    const allPassed = passed === results.length;
    console.log(
      `\n${(allPassed ? green : red)(`${passed} of ${results.length} deliveries got the answer they should.`)}`,
    );
    console.log(dim("examples/express stopped."));
    if (allPassed) {
      console.log(
        dim(
          "Check your own endpoint the same way: pnpm exec colivara-webhooks send <your url> --all (colivara-webhooks --help for more)",
        ),
      );
    }
    return allPassed ? 0 : 1;
  } finally {
    // Also on failure: never leave the example running.
    await stop(example.child);
    process.off("SIGINT", stopOnSignal);
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    console.error(red(`demo failed: ${error instanceof Error ? error.message : String(error)}`));
    process.exitCode = 1;
  },
);
