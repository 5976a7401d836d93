from django.http import JsonResponse

from shop.models import Order


def order_emails(request):
    orders = Order.objects.filter(status="paid")
    emails = []
    for order in orders:
        emails.append(order.customer.email)
    return JsonResponse({"emails": emails})


def item_counts(request):
    rows = []
    for order in Order.objects.filter(status="paid").order_by("-id")[:50]:
        rows.append({"id": order.id, "items": order.items.count()})
    return JsonResponse({"rows": rows})


def big_items(request):
    orders = Order.objects.prefetch_related("items")
    return JsonResponse({"big": [o.items.filter(quantity__gt=10).count() for o in orders]})


def tag_names(request):
    names = {}
    for order in Order.objects.all()[:20]:
        names[order.id] = [t.name for t in order.tags.all()]
    return JsonResponse(names)
