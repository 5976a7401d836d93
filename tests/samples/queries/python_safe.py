# path: app/api/reports.py
from fastapi import APIRouter, Depends
from sqlalchemy import select, text
from sqlalchemy.orm import selectinload

from app.db import get_session
from app.models import Customer, Invoice, Order

router = APIRouter()
TABLE = "orders"


@router.get("/orders/{order_id}")
def get_order(order_id: int, cur=Depends(get_session)):
    cur.execute("SELECT id, total FROM orders WHERE id = %s", (order_id,))
    cur.execute(f"SELECT id FROM {TABLE} WHERE id = %s", (order_id,))
    return cur.fetchone()


def by_ids(cur, ids, status, limit):
    marks = ", ".join(["%s"] * len(ids))
    cur.execute(f"SELECT id FROM orders WHERE id IN ({marks})", ids)
    cur.execute(f"SELECT id FROM orders ORDER BY id LIMIT {int(limit)}")
    sql = "SELECT id FROM orders WHERE status = %s"
    if status:
        sql += " AND archived = false"
    cur.execute(sql, (status,))
    stmt = "DELETE FROM carts"
    stmt += " WHERE owner = %s"
    cur.execute(stmt, (status,))


@router.get("/search")
def search(q: str, session=Depends(get_session)):
    stmt = text("SELECT id, reference FROM orders WHERE reference LIKE :q || '%' ORDER BY id LIMIT 20")
    return session.execute(stmt, {"q": q}).all()


@router.get("/invoices")
def list_invoices(limit: int = 50, session=Depends(get_session)):
    query = select(Invoice).options(selectinload(Invoice.customer)).limit(limit)
    invoices = session.scalars(query).all()
    return [{"id": i.id, "customer": i.customer.name} for i in invoices]


def django_report(customer_ids):
    orders = Order.objects.filter(customer_id__in=customer_ids).select_related("customer")
    for attempt in range(3):
        Order.objects.exists()
    while True:
        batch = list(Order.objects.filter(archived=False)[:500])
        if not batch:
            break
    return orders


def docs():
    """SELECT * FROM nothing: a docstring, not a query."""
    return "Delete from cart failed, update the set of items"


PURGE = "DELETE FROM audit_log WHERE created_at < now() - interval '90 days'"
PAGE = "SELECT id FROM events WHERE kind = %s ORDER BY id LIMIT 50 OFFSET %s"
ORPHANS = "SELECT id FROM accounts WHERE deleted_at IS NULL"
PAIRS = "SELECT a.id, b.id FROM accounts a, budgets b WHERE b.account_id = a.id"
COUNT = "SELECT count(*) FROM accounts WHERE id = %s LIMIT 1"
