from rest_framework import viewsets

from shop.models import Order
from shop.serializers import OrderSerializer, OrderSummarySerializer


class OrderViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Order.objects.all()
    serializer_class = OrderSerializer


class PrefetchedOrderViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = OrderSerializer

    def get_queryset(self):
        return Order.objects.select_related("customer").prefetch_related("items")


class OrderSummaryViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Order.objects.all()
    serializer_class = OrderSummarySerializer
