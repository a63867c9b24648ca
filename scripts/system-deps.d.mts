// Types for scripts/system-deps.mjs, so its tests type-check under strict TypeScript.

/** A system program the test suite needs. */
export interface Requirement {
  name: string;
  /** Looked up on PATH and in the extra directories (and in each `<versions>/<major>/bin`). */
  binary?: string;
  /** A directory of one directory per major version, each with a `bin` (Debian's /usr/lib/postgresql). */
  versions?: string;
  /** Checked as is. */
  path?: string;
  /** The apt package that provides it. */
  debian: string;
  /** The Homebrew formula (or `--cask name`). */
  brew: string;
}

/** What the test suite needs. */
export const REQUIREMENTS: readonly Requirement[];
/** Where binaries are looked for besides PATH. */
export const EXTRA_DIRS: readonly string[];

/** True when `file` exists and is executable. */
export function isExecutable(file: string): boolean;

/** The entries of `dir`, or none when it cannot be read. */
export function listDir(dir: string): string[];

/** The requirements that are not installed. */
export function findMissing(lookup?: {
  PATH?: string | undefined;
  extraDirs?: readonly string[];
  executable?: (file: string) => boolean;
  list?: (dir: string) => string[];
}): Requirement[];

/** The apt packages for `missing`. */
export function debianPackages(missing: readonly Requirement[]): string[];

/** What to tell someone who has to install `missing` themselves. */
export function installHint(missing: readonly Requirement[]): string;

/** The decision, without side effects. */
export type Decision =
  | { action: "none" }
  | { action: "install"; packages: string[] }
  | { action: "fail"; message: string };

/** Decides what to do from the facts of the machine. */
export function decide(facts: {
  missing: readonly Requirement[];
  uid: number | undefined;
  platform: string;
  hasAptGet: boolean;
}): Decision;

/** Checks, installs what is missing when it can, and returns the exit code. */
export function main(effects?: {
  env?: Record<string, string | undefined>;
  uid?: number | undefined;
  platform?: string;
  executable?: (file: string) => boolean;
  list?: (dir: string) => string[];
  extraDirs?: readonly string[];
  run?: (command: string, args: string[], env: Record<string, string | undefined>) => number;
  log?: (line: string) => void;
  error?: (line: string) => void;
}): number;
