import { sql } from "drizzle-orm";
import type { PostgresJsDatabase } from "drizzle-orm/postgres-js";

export async function up(db: PostgresJsDatabase): Promise<void> {
  await db.execute(sql`ALTER TABLE orders DROP COLUMN legacy_ref`);
  await db.execute(sql`CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_channel_idx ON orders (channel)`);
}
