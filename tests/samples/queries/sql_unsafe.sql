-- path: db/queries/reports.sql
-- name: MonthlyReport :many
SELECT * -- expect: select-star
FROM orders o, customers c -- expect: implicit-cross-join
WHERE o.created_at >= date_trunc('month', now())
LIMIT 100 OFFSET 200; -- expect: limit-without-order-by

-- name: Purge :exec
DELETE FROM order_exports; -- expect: update-delete-without-where

-- name: Reprice :exec
UPDATE products SET price = price * 1.1; -- expect: update-delete-without-where

-- name: Unshipped :many
SELECT id FROM orders WHERE shipped_at = NULL ORDER BY id; -- expect: null-comparison

-- name: Search :many
SELECT id, reference FROM orders WHERE reference ILIKE '%' || $1 || '%' ORDER BY id LIMIT 20; -- expect: leading-wildcard-like
