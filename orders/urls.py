from django.urls import path

from orders import views

app_name = "orders"

urlpatterns = [
    path("cart/", views.cart_detail, name="cart"),
    path("cart/add/", views.cart_add, name="cart_add"),
    path("cart/lines/<int:line_id>/", views.cart_line_update, name="cart_line"),
    path("cart/accept-prices/", views.cart_prices_accept, name="cart_accept_prices"),
    path("checkout/", views.checkout, name="checkout"),
    path("checkout/review/", views.checkout_review, name="review"),
    path("checkout/place/", views.checkout_place, name="place"),
    path("orders/<str:number>/", views.order_detail, name="detail"),
    path("orders/<str:number>/receipt/", views.order_receipt, name="receipt"),
    path("orders/<str:number>/pay/", views.order_pay, name="pay"),
    path("account/orders/", views.order_history, name="history"),
    path("pay/test/<str:reference>/", views.test_gateway, name="test_gateway"),
]
