# path: app/api/reports.py
import sqlite3

from fastapi import APIRouter, Depends
from sqlalchemy import select, text

from app.db import get_session
from app.models import Customer, Invoice, Order

router = APIRouter()


@router.get("/orders/{order_id}")
def get_order(order_id: str, conn=Depends(sqlite3.connect)):
    cur = conn.cursor()
    cur.execute(f"SELECT id, total FROM orders WHERE id = {order_id}")  # expect: sql-injection
    return cur.fetchone()


def find_by_name(cur, name):
    cur.execute("SELECT id FROM customers WHERE name = '%s'" % name)  # expect: sql-injection
    cur.execute("SELECT id FROM customers WHERE email = '{}'".format(name))  # expect: sql-injection
    cur.execute("SELECT id FROM customers WHERE city = '" + name + "'")  # expect: sql-injection
    query = f"DELETE FROM carts WHERE owner = '{name}'"  # expect: sql-injection
    cur.execute(query)


@router.get("/search")
def search(q: str, session=Depends(get_session)):
    stmt = text(f"SELECT id, reference FROM orders WHERE reference LIKE '%{q}%'")  # expect: sql-injection, leading-wildcard-like
    return session.execute(stmt).all()  # expect: unbounded-query


@router.get("/invoices")
def list_invoices(session=Depends(get_session)):
    invoices = session.scalars(select(Invoice)).all()  # expect: unbounded-query
    out = []
    for invoice in invoices:
        customer = session.get(Customer, invoice.customer_id)  # expect: n-plus-one-query
        out.append({"id": invoice.id, "customer": customer.name})
    return out


def django_report(customer_ids):
    totals = {}
    for cid in customer_ids:
        totals[cid] = Order.objects.filter(customer_id=cid).count()  # expect: n-plus-one-query
    names = [Customer.objects.get(pk=cid).name for cid in customer_ids]  # expect: n-plus-one-query
    return totals, names


PURGE = """DELETE FROM audit_log"""  # expect: update-delete-without-where
PAGE = "SELECT id FROM events WHERE kind = %s LIMIT 50 OFFSET %s"  # expect: limit-without-order-by
ORPHANS = "SELECT id FROM accounts WHERE deleted_at = NULL"  # expect: null-comparison
PAIRS = "SELECT a.id, b.id FROM accounts a, budgets b WHERE a.active"  # expect: implicit-cross-join
EVERYTHING = "SELECT * FROM accounts WHERE id = %s"  # expect: select-star
