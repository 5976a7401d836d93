from fastapi import APIRouter, Depends, HTTPException

from app.db.session import get_session

router = APIRouter(prefix="/v1/orders", tags=["orders"])


@router.get("/{order_id}")
def get_order(order_id: int, session=Depends(get_session)):
    order = session.get(Order, order_id)
    if order is None:
        raise HTTPException(status_code=404, detail="order not found")
    return order


@router.post("/{order_id}/cancel", status_code=204)
def cancel_order(order_id: int, session=Depends(get_session)):
    session.get(Order, order_id).cancel()


@router.get("/legacy", deprecated=True)
def legacy_orders(session=Depends(get_session)):
    return []


@router.api_route(
    "/{order_id}/notes",
    methods=["GET", "PUT"],
)
def order_notes(order_id: int):
    return {}
