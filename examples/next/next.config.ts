import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  poweredByHeader: false,
  reactStrictMode: true,
  typescript: {
    // `pnpm typecheck` runs tsc over this app; the end-to-end tests set this variable so
    // `next build` does not type-check it a second time.
    ignoreBuildErrors: process.env.COLIVARA_EXAMPLE_SKIP_TYPECHECK === "1",
  },
};

export default nextConfig;
