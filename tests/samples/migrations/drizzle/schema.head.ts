import { sql } from "drizzle-orm";
import { bigint, index, integer, numeric, pgTable, serial, text, timestamp, uniqueIndex, uuid, varchar } from "drizzle-orm/pg-core";

export const customers = pgTable("customers", {
  id: serial("id").primaryKey(),
  email: varchar("email", { length: 255 }).notNull(),
});

export const orders = pgTable(
  "orders",
  {
    id: serial("id").primaryKey(),
    total: integer("total").notNull(),
    weight: numeric("weight", { precision: 10, scale: 2 }),
    customerId: bigint("customer_id", { mode: "number" })
      .notNull()
      .references(() => customers.id),
    code: varchar("code", { length: 64 }).notNull(),
    status: varchar("status", { length: 32 }).notNull(),
    note: text("note"),
    channel: varchar("channel", { length: 16 }).notNull().default("web"),
    publicId: uuid("public_id").notNull().defaultRandom(),
    placedAt: timestamp("placed_at").notNull().$defaultFn(() => new Date()),
    createdAt: timestamp("created_at").notNull().default(sql`now()`),
  },
  (t) => [
    index("orders_code_idx").on(t.code),
    uniqueIndex("orders_status_idx").on(t.status),
  ],
);

export const invoices = pgTable("invoices", {
  id: serial("id").primaryKey(),
  number: varchar("number", { length: 32 }).notNull().unique(),
});
