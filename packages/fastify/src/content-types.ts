import { BodyBuffer } from "@colivara/webhooks/adapter";
import { errorCodes, type FastifyInstance, type FastifyRequest } from "fastify";
import { asBuffer } from "./raw-body.js";

const UnsupportedMediaType = errorCodes.FST_ERR_CTP_INVALID_MEDIA_TYPE;
// Fastify 4 names the type in this error's message ("…: %s"), Fastify 5 does not.
const NAMES_TYPE = new UnsupportedMediaType().message.includes("%s");

/** Fastify's own 415, as it answers a type no parser takes. */
function unsupported(request: FastifyRequest): Error {
  const type = request.headers["content-type"];
  return NAMES_TYPE && type ? new UnsupportedMediaType(type) : new UnsupportedMediaType();
}

/**
 * Svix signs bytes, not a media type: a genuine delivery sent as form-encoded, as
 * octet-stream or with no content type is verified like any other. Without a parser for
 * that type, Fastify would refuse it after the delivery was verified and claimed, which the
 * route's error handler turns into a retried 500. So the plugin adds the catch-all parser
 * Fastify consults only when no other parser matches: on a verified route it hands the
 * verified bytes on as a Buffer (the event is `request.colivara`), and on every other route
 * it answers Fastify's own 415. A catch-all the app added before keeps the job.
 */
export function acceptVerifiedBodies(fastify: FastifyInstance, verified: (request: FastifyRequest) => boolean): void {
  if (fastify.hasContentTypeParser("*")) return;
  fastify.addContentTypeParser("*", (request, payload, done) => {
    if (!verified(request)) {
      done(unsupported(request), undefined);
      return;
    }
    // The capture hook's replay of the verified bytes (within the limit), collected in one
    // buffer: a route hook that re-chunks the stream cannot make it an object per chunk.
    const body = new BodyBuffer(Number.MAX_SAFE_INTEGER);
    payload.on("data", (chunk: Buffer) => body.append(chunk));
    payload.on("error", (error: Error) => done(error, undefined));
    payload.on("end", () => done(null, asBuffer(body.bytes())));
  });
}
