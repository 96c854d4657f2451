"""Writes for carts, checkout, payments and orders, split by concern:

cart.py      adding, changing and merging cart lines
checkout.py  order_place: the one way an order is created
status.py    the order status machine: every status change, with who, when and why
payments.py  payment outcomes (webhooks, redirects back) and refunds; reconciliation
"""
