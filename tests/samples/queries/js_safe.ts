// path: src/routes/orders.ts
import { Router } from "express";
import { prisma } from "../db";
import { pool } from "../pg";

export const router = Router();
const TABLE = "orders";

router.get("/orders/search", async (req, res) => {
  const { rows } = await pool.query("SELECT id, reference FROM orders WHERE reference = $1", [req.query.ref]);
  const mine = await prisma.$queryRaw`SELECT id FROM orders WHERE owner = ${userId}`;
  const fixed = await pool.query(`SELECT id FROM ${TABLE} WHERE id = $1`, [req.params.id]);
  res.json({ rows, mine, fixed });
});

router.get("/orders", async (req, res) => {
  const orders = await prisma.order.findMany({
    where: { status: req.query.status },
    include: { lines: true },
    take: 50,
  });
  const ids = orders.map((o) => o.ownerId);
  const owners = await prisma.user.findMany({ where: { id: { in: ids } }, take: ids.length });
  for (const order of orders) {
    order.total = order.lines.reduce((sum, l) => sum + l.amount, 0);
  }
  res.json({ orders, owners });
});

export async function purge(before: Date) {
  await pool.query("UPDATE sessions SET revoked = true WHERE created_at < $1", [before]);
  await pool.query("SELECT id FROM sessions WHERE revoked_at IS NULL ORDER BY id LIMIT 100");
  const message = "Delete from cart failed";
  return message;
}
