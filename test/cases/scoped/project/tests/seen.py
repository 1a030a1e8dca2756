"""What the tests of several modules saw, to compare across tests and modules."""

catalogs: list = []
baskets: dict = {}
