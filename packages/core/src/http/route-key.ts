/**
 * One key for every spelling of a path that a router could route to the same place: the
 * widest reading of Express (case-insensitive, trailing slash optional), Hono (percent-escapes
 * decoded), Fastify (`caseSensitive: false`, `ignoreTrailingSlash`, `ignoreDuplicateSlashes`,
 * `;` as a delimiter) and WHATWG URLs (dot segments resolved, `\` as `/`). App-wide
 * middleware acts on every request whose key is the webhook path's key: it may verify a
 * request no router would send to the webhook handler (a forgery is then refused, a genuine
 * delivery passes on), but it never lets one that a router could send there pass unverified.
 */
export function routeKey(path: string): string {
  const end = path.search(/[?#;]/);
  const decoded = decodeEscapes(end === -1 ? path : path.slice(0, end)).replace(/\\/g, "/");
  const segments: string[] = [];
  for (const segment of decoded.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") segments.pop();
    else segments.push(segment);
  }
  // Upper then lower: folds the letters whose lower case is not ASCII ("ſ", "ı") as a
  // case-insensitive regular expression does.
  return `/${segments.join("/")}`.toUpperCase().toLowerCase();
}

/** `%XX` escapes decoded where they are valid UTF-8; anything else stays as written. */
function decodeEscapes(path: string): string {
  if (!path.includes("%")) return path;
  return path.replace(/(?:%[0-9a-f]{2})+/gi, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run;
    }
  });
}
