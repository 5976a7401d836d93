-- +goose Up
CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_placed_at_idx ON orders (placed_at);

-- +goose Down
DROP INDEX IF EXISTS orders_placed_at_idx;
