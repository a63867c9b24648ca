// The multi-instance suite of packages/redis (its fixtures and assertions, unchanged) with
// the instances sharing a throwaway PostgreSQL instead of Redis.
import { fileURLToPath } from "node:url";
import { type PostgresServer, startPostgresServer } from "../../../test/support/postgres-server.js";
import type { SharedStore } from "../../redis/test/multi-instance-suite.js";
import { migrate } from "../src/index.js";
import { adminPool, tableName } from "./clients.js";

const STORE_MODULE = fileURLToPath(new URL("./fixtures/postgres-store.mjs", import.meta.url));

export const POSTGRES_STORE: SharedStore = {
  name: "PostgreSQL",
  clients: ["pg", "postgres.js"],
  async start() {
    const server: PostgresServer = await startPostgresServer();
    const table = tableName();
    const admin = adminPool(server.url);
    await migrate(admin, { table }).finally(() => admin.end());
    return {
      env: (client) => ({ STORE_MODULE, DATABASE_URL: server.url, PG_CLIENT: client, PG_TABLE: table }),
      stop: () => server.remove(),
    };
  },
};
