// Known-answer vectors. The first is the one the Standard Webhooks specification and its
// libraries publish; the others were computed once with the openssl command line
// (`openssl dgst -sha256 -mac HMAC -macopt hexkey:…`), outside Node and outside src/.

export interface KnownVector {
  name: string;
  secret: string;
  id: string;
  timestamp: number;
  body: string | Uint8Array;
  /** The complete `v1,<base64>` entry. */
  signature: string;
  /** What verify yields at the vector's own time: the event type, or an error code. */
  outcome: { eventType: "upsert.success" | "upsert.fail" } | { code: "invalid_payload" };
}

export const STANDARD_WEBHOOKS_VECTOR: KnownVector = {
  name: "Standard Webhooks published vector (no type field)",
  secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
  id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
  outcome: { code: "invalid_payload" },
};

export const KNOWN_VECTORS: readonly KnownVector[] = [
  STANDARD_WEBHOOKS_VECTOR,
  {
    name: "published secret, id and timestamp with a typed upsert.success body",
    secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
    id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
    timestamp: 1614265330,
    body: '{"type":"upsert.success","message":"Document upserted successfully","id":17,"name":"report.pdf","metadata":{"team":"finance"},"url":"https://example.com/report.pdf","num_pages":3,"collection_name":"default_collection"}',
    signature: "v1,5sdurBoPKtmL5ZiRAOapxbNLxovbF/yexnWOtIUgmO8=",
    outcome: { eventType: "upsert.success" },
  },
  {
    name: "32-byte key, non-ASCII upsert.fail body",
    secret: "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
    id: "msg_2Zq8",
    timestamp: 1700000000,
    body: '{"type":"upsert.fail","message":"Document upsert failed","name":"r\u00e9sum\u00e9 \u{1f4c4}.pdf","metadata":{},"collection_name":"caf\u00e9","error":"unsupported file"}',
    signature: "v1,CtyFEem89afnOotahMRQs3jxtRYnnalfVYUaBO7vJFk=",
    outcome: { eventType: "upsert.fail" },
  },
  {
    name: "64-byte key, pretty-printed body with a trailing newline",
    secret: "whsec_AwoRGB8mLTQ7QklQV15lbHN6gYiPlp2kq7K5wMfO1dzj6vH4/wYNFBsiKTA3PkVMU1phaG92fYSLkpmgp661vA==",
    id: "msg_3",
    timestamp: 1700000123,
    body: '{\n  "type": "upsert.success",\n  "message": "ok",\n  "id": 1,\n  "name": "a.pdf",\n  "metadata": {"nested": {"k": [1, 2]}},\n  "url": "https://example.com/a.pdf",\n  "num_pages": 12,\n  "collection_name": "c"\n}\n',
    signature: "v1,kVeZuneXVnFztisgALpNs6DCgcuXYQS9BEYhh+iUFb8=",
    outcome: { eventType: "upsert.success" },
  },
  {
    name: "32-byte key, body bytes that are not UTF-8",
    secret: "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
    id: "msg_4",
    timestamp: 1700000000,
    body: Uint8Array.from([0xff, 0xfe, ...new TextEncoder().encode('{"type":"upsert.fail"}')]),
    signature: "v1,hGDMK9PDm22JmqE3RlIFMAePv7mFX/NZeH8E2pUG5ug=",
    outcome: { code: "invalid_payload" },
  },
];

export function vectorHeaders(vector: KnownVector, prefix: "svix" | "webhook" = "svix"): Record<string, string> {
  return {
    [`${prefix}-id`]: vector.id,
    [`${prefix}-timestamp`]: String(vector.timestamp),
    [`${prefix}-signature`]: vector.signature,
  };
}
