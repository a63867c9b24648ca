// The declare-once recipe of the README, as an app writes it. This folder is its own
// TypeScript program (`pnpm typecheck` runs it), since the declaration applies to every file
// of the program it is in. It checks the built packages' types, as a user's app gets them.
import { z } from "zod";

export const Meta = z.object({ tenant: z.string(), plan: z.enum(["free", "pro"]).optional() });

declare module "@colivara/webhooks" {
  interface Register {
    metadata: z.infer<typeof Meta>;
  }
}
