import { readFile } from "node:fs/promises";

/**
 * Where the built page lives: `dist/inspector/`, written by the package's build from
 * `client/` (typed modules bundled into `app.js`, the page and its style sheet copied). The
 * same path from `src/` (tests) and from `dist/` (the published package).
 */
const ASSETS = new URL("../dist/inspector/", import.meta.url);

/** The inspector's files, by the name the page asks for, with their content types. */
const FILES = {
  "": { file: "inspector.html", type: "text/html" },
  "app.js": { file: "app.js", type: "text/javascript" },
  "app.css": { file: "inspector.css", type: "text/css" },
} as const;

/** A name the inspector serves a file under. */
export type AssetName = keyof typeof FILES;

/** A file of the inspector page: its text and content type. */
export interface Asset {
  text: string;
  type: string;
}

const cache = new Map<AssetName, Promise<Asset>>();

/**
 * Whether a name is one of the inspector's files.
 *
 * @example
 * ```ts
 * isAssetName("app.js"); // true
 * ```
 */
export function isAssetName(name: string): name is AssetName {
  return Object.hasOwn(FILES, name);
}

/**
 * One of the inspector's files, read once and kept. Rejects with what to run when the page
 * was not built (a checkout without `pnpm build`).
 *
 * @example
 * ```ts
 * const { text, type } = await inspectorAsset("app.js");
 * ```
 */
export function inspectorAsset(name: AssetName): Promise<Asset> {
  let asset = cache.get(name);
  if (asset === undefined) {
    const { file, type } = FILES[name];
    asset = readFile(new URL(file, ASSETS), "utf8").then(
      (text) => ({ text, type }),
      (error: unknown) => {
        cache.delete(name);
        throw new Error(`The inspector page is not built (${file} is missing): run pnpm build.`, { cause: error });
      },
    );
    cache.set(name, asset);
  }
  return asset;
}
