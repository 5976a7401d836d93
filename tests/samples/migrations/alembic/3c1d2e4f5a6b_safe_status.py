"""add order status safely

Revision ID: 3c1d2e4f5a6b
Revises: 7f3a9c2d1e4b
"""
import sqlalchemy as sa
from alembic import op

revision = "3c1d2e4f5a6b"
down_revision = "7f3a9c2d1e4b"


def upgrade():
    op.add_column("orders", sa.Column("status", sa.String(32), nullable=True))
    op.add_column("orders", sa.Column("channel", sa.String(16), nullable=False, server_default="web"))
    op.add_column("orders", sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now()))
    op.create_table(
        "invoices",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("order_id", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_invoices_order_id", "invoices", ["order_id"])
    op.create_foreign_key("fk_invoices_order", "invoices", "orders", ["order_id"], ["id"])
    op.create_foreign_key("fk_orders_customer", "orders", "customers", ["customer_id"], ["id"], postgresql_not_valid=True)
    with op.get_context().autocommit_block():
        op.create_index("ix_orders_status", "orders", ["status"], postgresql_concurrently=True)
        op.drop_index("ix_orders_legacy", table_name="orders", postgresql_concurrently=True)


def downgrade():
    op.drop_index("ix_orders_status", table_name="orders")
    op.drop_table("invoices")
    op.drop_column("orders", "channel")
    op.drop_column("orders", "status")
