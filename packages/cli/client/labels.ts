// The page's button labels: one place, which the README's description is checked against.

/** What each of the inspector's buttons says. */
export const LABELS = {
  resign: "Replay re-signed (new id, fresh timestamp)",
  asIs: "Replay as it was (must be refused)",
  curl: "Copy as curl",
  save: "Save as delivery file",
  older: "Load older deliveries",
} as const;
