import { createVerifier, isWebhookVerificationError, type Verifier } from "@colivara/webhooks";

/** Codes a single-secret check gives when that secret's MAC does not match (or was never computed). */
const NOT_MATCHED = new Set(["invalid_signature", "missing_headers", "invalid_timestamp", "body_already_parsed"]);

/** Far beyond any clock skew: only the MAC decides whether a secret matches. */
const ANY_TIME = 10 ** 10;

/**
 * Tells which configured secret signed a delivery, with the core verifier (one per secret,
 * timestamp ignored), so a stale delivery still says which secret it was signed with.
 *
 * @example
 * ```ts
 * const whichSecret = secretMatcher([current, previous]);
 * const index = await whichSecret(rawBody, headers); // 1: signed with the previous secret
 * ```
 */
export function secretMatcher(
  secrets: readonly string[],
): (rawBody: Uint8Array, headers: Headers) => Promise<number | undefined> {
  const verifiers: Verifier[] = secrets.map((secret) => createVerifier({ secret, toleranceSeconds: ANY_TIME }));
  return async (rawBody, headers) => {
    for (const [index, verifier] of verifiers.entries()) {
      try {
        await verifier.verify(rawBody, headers);
        return index;
      } catch (error) {
        // invalid_payload and the like come after the MAC matched.
        if (isWebhookVerificationError(error) && !NOT_MATCHED.has(error.code)) return index;
      }
    }
    return undefined;
  };
}
