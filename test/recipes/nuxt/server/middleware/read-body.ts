// Not part of the recipe: a middleware that parses every POST body before the routes run, as a
// logging or audit middleware may. h3 keeps the raw bytes it read, and toWebRequest hands them
// on, so the webhook route still verifies the exact bytes (test/recipes/nuxt.test.ts).
export default defineEventHandler(async (event) => {
  if (event.method === "POST") event.context.parsedBody = await readBody(event);
});
