import { bigint, index, integer, pgTable, serial, text, varchar } from "drizzle-orm/pg-core";

export const customers = pgTable("customers", {
  id: serial("id").primaryKey(),
  email: varchar("email", { length: 255 }).notNull(),
});

export const orders = pgTable(
  "orders",
  {
    id: serial("id").primaryKey(),
    total: integer("total").notNull(),
    legacyRef: varchar("legacy_ref", { length: 64 }),
    weight: integer("weight"),
    customerId: bigint("customer_id", { mode: "number" }),
    code: varchar("code", { length: 32 }).notNull(),
  },
  (t) => [index("orders_code_idx").on(t.code)],
);

export const legacyOrders = pgTable("legacy_orders", {
  id: serial("id").primaryKey(),
});
