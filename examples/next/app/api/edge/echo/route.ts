// An ordinary JSON route on the Edge runtime.
export const runtime = "edge";

export async function POST(request: Request): Promise<Response> {
  return Response.json(await request.json());
}
