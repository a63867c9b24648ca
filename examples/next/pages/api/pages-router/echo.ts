// An ordinary Pages Router API route: Next's JSON body parser stays on here.
import type { NextApiRequest, NextApiResponse } from "next";

export default function echo(req: NextApiRequest, res: NextApiResponse): void {
  res.status(200).json(req.body);
}
