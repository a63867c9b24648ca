// Preloaded into the load suite's servers (NODE_OPTIONS=--require …): SIGUSR2 runs a full
// garbage collection, so the memory the suite reads after a run is what the server still
// holds, not garbage V8 has not collected yet. With COLIVARA_LOAD_MEMORY_FILE set, it then
// appends process.memoryUsage() there as one JSON line. Nothing else in the server changes.
const { appendFileSync } = require("node:fs");
const { setFlagsFromString } = require("node:v8");
const { runInNewContext } = require("node:vm");

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc");
const file = process.env.COLIVARA_LOAD_MEMORY_FILE;
process.on("SIGUSR2", () => {
  gc();
  if (file) appendFileSync(file, `${JSON.stringify(process.memoryUsage())}\n`);
});
