// The import rules `pnpm lint` enforces (dependency-cruiser): no circle anywhere, the core's
// layers import only downwards (the order is in CONTRIBUTING.md, "The core's layers"), and
// packages reach the core only through its public entries, never its source files.
const CORE = "^packages/core/src/";
// Each layer, with the layers below it that it may import from.
const LAYERS = [
  ["shared", []],
  ["verify", ["shared"]],
  ["http", ["shared", "verify"]],
  ["record", ["shared", "verify", "http"]],
  ["dedupe", ["shared", "verify", "http", "record"]],
  ["pipeline", ["shared", "verify", "http", "record", "dedupe"]],
  ["worker", ["shared", "verify", "http", "record", "dedupe", "pipeline"]],
];

/** A layer importing anything of the core's source but itself and the layers below it. */
const layerRule = ([layer, below]) => ({
  name: `core-layer-${layer}`,
  comment: `packages/core/src/${layer}/ imports only from ${below.length ? below.join(", ") : "itself"} (and itself)`,
  severity: "error",
  from: { path: `${CORE}${layer}/` },
  to: { path: CORE, pathNot: [`${CORE}(${[layer, ...below].join("|")})/`] },
});

module.exports = {
  forbidden: [
    {
      name: "no-circular",
      comment: "An import circle makes the load order matter and the layers meaningless.",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    ...LAYERS.map(layerRule),
    {
      name: "core-source-only-from-core",
      comment: "Other packages use the core's public entries (@colivara/webhooks, /adapter, /testing, /otel, /worker).",
      severity: "error",
      from: { path: "^packages/(?!core/)[^/]+/src/" },
      to: { path: CORE },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(^|/)(dist|node_modules|\\.next)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
    },
  },
};
