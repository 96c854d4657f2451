"""The demo shop's data: real products (and later customers and orders) from the UCI Online Retail
data set, shipped in data/ with its credit, so that a fresh clone has a believable shop to show.

retail reads and cleans the CSV rows; titles, categories and images turn them into what a shopper
sees; importer writes the catalogue. `python manage.py load_demo` runs it.
"""
