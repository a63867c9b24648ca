/**
 * A Node built-in module (`node:crypto`, `node:buffer`) when the runtime has one, else
 * undefined: Node, Bun and Deno answer; Workers and Edge builds do not.
 */
export function nodeBuiltin<T>(name: string): T | undefined {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  // getBuiltinModule (Node >= 20.16, Bun, Deno) avoids a static import that Edge bundlers reject.
  if (typeof proc?.getBuiltinModule !== "function") return undefined;
  try {
    return proc.getBuiltinModule(name) as T | undefined;
  } catch {
    return undefined;
  }
}
