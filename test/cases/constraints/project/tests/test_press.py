def test_catalog_rows(catalog):
    assert len(catalog.books) == 2
    assert catalog.reviews[1].book is catalog.books[1]
    assert {e.publisher for e in catalog.editors} == {catalog.acme}


def test_lending_rows(lending):
    assert [loan.borrower for loan in lending.loans] == ["ann", "bob"]
