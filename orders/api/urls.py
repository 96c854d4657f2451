from django.urls import path

from orders.api import views

app_name = "orders_api"

urlpatterns = [
    path("cart/", views.CartView.as_view(), name="cart"),
    path("cart/lines/", views.CartLinesView.as_view(), name="cart_lines"),
    path("cart/lines/<int:line_id>/", views.CartLineView.as_view(), name="cart_line"),
    path("checkout/", views.CheckoutView.as_view(), name="checkout"),
    path("checkout/shipping-methods/", views.ShippingMethodsView.as_view(), name="shipping_methods"),
    path("checkout/payment-methods/", views.PaymentMethodsView.as_view(), name="payment_methods"),
    path("checkout/countries/", views.CountriesView.as_view(), name="countries"),
    path("checkout/quote/", views.QuoteView.as_view(), name="quote"),
    path("orders/", views.OrderListView.as_view(), name="orders"),
    path("orders/<str:number>/", views.OrderDetailView.as_view(), name="order"),
    path("orders/<str:number>/pay/", views.OrderPayView.as_view(), name="order_pay"),
]
