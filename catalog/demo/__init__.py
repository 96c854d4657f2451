"""The demo shop's data: real products, customers and their order history from the UCI Online
Retail data set, shipped in data/ with its credit, so that a fresh clone has a believable shop.

retail reads and cleans the CSV rows; titles, categories and images turn them into what a shopper
sees; importer writes the catalogue; customers and history write the customers and their orders.
`python manage.py load_demo` runs them in that order.
"""
