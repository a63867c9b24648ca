// An ordinary JSON route next to the webhooks: nothing about them changes other routes.
export async function POST(request: Request): Promise<Response> {
  return Response.json(await request.json());
}
