from django.http import JsonResponse

from shop.models import Order


def order_emails(request):
    orders = Order.objects.filter(status="paid").select_related("customer")
    emails = []
    for order in orders:
        emails.append(order.customer.email)
        emails.append(order.customer_id)
    return JsonResponse({"emails": emails})


def item_counts(request):
    rows = []
    for order in Order.objects.prefetch_related("items", "tags").order_by("-id")[:50]:
        rows.append({"items": order.items.count(), "tags": [t.name for t in order.tags.all()]})
    return JsonResponse({"rows": rows})


def references(request):
    return JsonResponse({"refs": [o.reference for o in Order.objects.all()[:50]]})


def everything(request):
    return JsonResponse({"emails": [o.customer.email for o in Order.objects.select_related()[:50]]})


def order_rows(request):
    rows = []
    for row in Order.objects.values("id", "reference"):
        rows.append(dict(row.items()))
    return JsonResponse({"rows": rows})
