// Health check. `?mark=<text>` also writes {"mark":"<text>"} to the log: the end-to-end
// tests use it to know every line logged before it has been read.
export function GET(request: Request): Response {
  const mark = new URL(request.url).searchParams.get("mark");
  if (mark) console.log(JSON.stringify({ mark }));
  return Response.json({ ok: true });
}
