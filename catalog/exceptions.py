class CatalogError(Exception):
    """A request the catalogue refuses; the message is safe to show to staff."""


class InvalidStockQuantity(CatalogError):
    pass


class UnknownSku(CatalogError):
    pass


class StockImportError(CatalogError):
    def __init__(self, errors: list[str]) -> None:
        self.errors = errors
        super().__init__("; ".join(errors))


class InvalidPriceChange(CatalogError):
    pass
