// How the page words a delivery's facts. Pure functions of a report: no DOM, no state.
import type { DeliveryReport } from "../src/delivery-report.js";

/** What "type as claimed" means, shown where it appears. */
export const CLAIMED = "Not verified: the type this body claims. Nobody signed it, so it may be false.";

/** `hh:mm:ss` of an ISO time, in the browser's time zone. */
export function clock(iso: string): string {
  return new Date(iso).toTimeString().slice(0, 8);
}

/** JSON indented for reading; anything else as it is. */
export function pretty(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/** The colour class of an HTTP status: ok (2xx), warn (4xx), bad (5xx and the rest), none. */
export function statusClass(status: number | undefined): "ok" | "warn" | "bad" | "none" {
  if (status === undefined) return "none";
  if (status >= 200 && status < 300) return "ok";
  if (status >= 400 && status < 500) return "warn";
  return "bad";
}

/** The verdict's mark: ✓ accepted, ↺ duplicate, ✗ rejected. */
export function mark(verdict: DeliveryReport["verdict"]): string {
  return verdict === "accepted" ? "✓" : verdict === "duplicate" ? "↺" : "✗";
}

/** How long before arrival the delivery was signed. */
export function skewText(d: DeliveryReport): string {
  const skew = d.skewSeconds;
  if (skew === undefined) return "no usable timestamp";
  if (skew === 0) return "signed the second it arrived";
  return skew > 0 ? `signed ${skew} s before it arrived` : `signed ${-skew} s in the future`;
}

/** Which configured secret signed it, of how many. */
export function secretText(d: DeliveryReport, secrets: number): string {
  if (d.secretIndex === undefined) return `none of the ${secrets} configured secret(s)`;
  return `secret #${d.secretIndex} of ${secrets} (index in the configured list)`;
}

/** Who answered the sender. */
export function answeredBy(d: DeliveryReport): string {
  if (d.answeredBy === "app") return "your app (below)";
  if (d.answeredBy === "status") return "--status";
  return "the verifier";
}

/** The app's answer in a line. */
export function appText(d: DeliveryReport): string {
  if (!d.app) return d.answeredBy === "status" ? "not forwarded: --status answered" : "not forwarded";
  if (d.app.error !== undefined) return `no answer: ${d.app.error}`;
  return `${d.app.status} in ${d.app.durationMs} ms`;
}

/** A pause's length, rounded to what a reader needs: `+45 s`, `+3 min`, `+2 h`. */
export function pauseText(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds / 3600)} h`;
}
