from django.urls import path, re_path

from . import views

urlpatterns = [
    path("orders/", views.OrderList.as_view(), name="order-list"),
    path("orders/<int:pk>/", views.OrderDetail.as_view(), name="order-detail"),
    re_path(r"^exports/(?P<year>[0-9]{4})/$", views.export, name="export"),
]
