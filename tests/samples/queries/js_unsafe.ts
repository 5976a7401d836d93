// path: src/routes/orders.ts
import { Router } from "express";
import { prisma } from "../db";
import { pool } from "../pg";

export const router = Router();

router.get("/orders/search", async (req, res) => {
  const { rows } = await pool.query(`SELECT id, reference FROM orders WHERE reference = '${req.query.ref}'`); // expect: sql-injection
  const byId = await pool.query("SELECT id FROM orders WHERE id = " + req.params.id); // expect: sql-injection
  const mine = await prisma.$queryRawUnsafe(`SELECT id FROM orders WHERE owner = ${userId}`); // expect: sql-injection
  const sql = `DELETE FROM carts WHERE owner = ${userId}`; // expect: sql-injection
  await pool.query(sql);
  res.json({ rows, byId, mine });
});

router.get("/orders", async (req, res) => {
  const orders = await prisma.order.findMany({ where: { status: req.query.status } }); // expect: unbounded-query
  for (const order of orders) {
    order.lines = await prisma.orderLine.findMany({ where: { orderId: order.id } }); // expect: n-plus-one-query
  }
  const owners = await Promise.all(
    orders.map((o) => prisma.user.findUnique({ where: { id: o.ownerId } })), // expect: n-plus-one-query
  );
  res.json({ orders, owners });
});

export async function purge() {
  await pool.query(`UPDATE sessions SET revoked = true`); // expect: update-delete-without-where
  await pool.query("SELECT id FROM sessions WHERE revoked_at = NULL"); // expect: null-comparison
}
