"""risky changes

Revision ID: 9a8b7c6d5e4f
Revises: 3c1d2e4f5a6b
"""
import sqlalchemy as sa
from alembic import op

revision = "9a8b7c6d5e4f"
down_revision = "3c1d2e4f5a6b"


def upgrade():
    op.add_column("orders", sa.Column("public_id", sa.Uuid(), server_default=sa.text("gen_random_uuid()")))
    op.alter_column("orders", "total", type_=sa.BigInteger())
    op.alter_column("orders", "note", new_column_name="notes")
    op.alter_column("orders", "placed_at", nullable=False)
    op.alter_column("orders", "coupon", nullable=True)
    op.create_index("ix_orders_placed_at", "orders", ["placed_at"], postgresql_concurrently=True)
    op.drop_index("ix_orders_old", table_name="orders")
    op.create_foreign_key("fk_orders_shop", "orders", "shops", ["shop_id"], ["id"])
    op.create_check_constraint("ck_orders_total", "orders", "total >= 0")
    op.create_unique_constraint("uq_orders_reference", "orders", ["reference"])
    op.rename_table("order_items", "order_lines")
    op.drop_table("legacy_orders")
    with op.batch_alter_table("customers") as batch_op:
        batch_op.drop_column("fax")
    op.execute("UPDATE orders SET status = 'placed' WHERE status IS NULL")
    op.execute(
        """
        ALTER TABLE orders
            ADD CONSTRAINT orders_region_fk FOREIGN KEY (region_id) REFERENCES regions (id)
        """
    )


def downgrade():
    op.drop_column("orders", "public_id")
