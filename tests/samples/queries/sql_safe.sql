-- path: db/queries/reports.sql
-- name: MonthlyReport :many
SELECT o.id, o.total, c.name
FROM orders o
JOIN customers c ON c.id = o.customer_id
WHERE o.created_at >= date_trunc('month', now())
ORDER BY o.created_at, o.id
LIMIT 100 OFFSET 200;

-- name: Purge :exec
DELETE FROM order_exports WHERE exported_at < now() - interval '30 days';

-- name: Unshipped :many
SELECT id FROM orders WHERE shipped_at IS NULL ORDER BY id;

-- name: Search :many
SELECT id, reference FROM orders WHERE reference LIKE $1 || '%' ORDER BY id LIMIT 20;

-- name: Legacy :many
SELECT o.id, c.name FROM orders o, customers c WHERE c.id = o.customer_id ORDER BY o.id;

-- name: Exists :one
SELECT 1 FROM orders WHERE id = $1 LIMIT 1;

-- name: Counts :one
SELECT count(*) FROM orders, generate_series(1, 3) g;
