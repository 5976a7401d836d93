from rest_framework import serializers

from shop.models import Customer, Order


class CustomerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Customer
        fields = ["id", "email"]


class OrderSerializer(serializers.ModelSerializer):
    customer = CustomerSerializer()
    item_count = serializers.SerializerMethodField()

    class Meta:
        model = Order
        fields = ["id", "reference", "customer", "item_count"]

    def get_item_count(self, obj):
        return obj.items.count()


class OrderSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Order
        fields = ["id", "reference"]
