-- Flyway: add order status and supporting objects
ALTER TABLE orders ADD COLUMN status text NOT NULL;
ALTER TABLE orders ADD COLUMN public_id uuid DEFAULT gen_random_uuid();
CREATE INDEX orders_status_idx ON orders (status);
ALTER TABLE orders
    ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id);
ALTER TABLE orders ALTER COLUMN total TYPE bigint;
ALTER TABLE orders DROP COLUMN legacy_ref;
ALTER TABLE orders RENAME COLUMN note TO notes;
ALTER TABLE order_items RENAME TO order_lines;
DROP TABLE legacy_orders;
ALTER TABLE orders ADD CONSTRAINT orders_reference_key UNIQUE (reference);
ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total >= 0);
ALTER TABLE orders ALTER COLUMN placed_at SET NOT NULL;
ALTER TABLE orders ADD COLUMN region char(2);
