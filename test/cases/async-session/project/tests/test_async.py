"""The async output in an async test suite: fixtures, create functions and what is loaded."""

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from generated.authors import create_authors
from library.models import Author, Book, Shelf


async def _count(session: AsyncSession, model) -> int:
    return await session.scalar(select(func.count()).select_from(model))


@pytest.mark.asyncio
async def test_the_fixture_extends_its_parent(authors, shelf, db_session):
    assert isinstance(db_session, AsyncSession)
    assert authors.fiction is shelf.fiction
    assert [a.mentor_id for a in authors.authors] == [None, authors.authors[0].id, None]
    assert await _count(db_session, Book) == 6 and await _count(db_session, Shelf) == 1


@pytest.mark.asyncio
async def test_what_the_scenario_sets_is_loaded(authors):
    # No await, no lazy load: what the create function set.
    assert authors.books[3].author is authors.authors[1]
    assert authors.books[0].shelf is authors.fiction
    # The other side of those references belongs to rows flushed earlier (the authors, one by one;
    # the shelf, by its own scenario): not loaded, so it is awaited (AsyncAttrs).
    assert [b.title for b in await authors.authors[2].awaitable_attrs.books] == [
        "book 5",
        "book 6",
    ]
    assert len(await authors.fiction.awaitable_attrs.books) == 6


@pytest.mark.asyncio
async def test_rows_are_rolled_back(db_session):
    for model in (Shelf, Author, Book):
        assert await _count(db_session, model) == 0


@pytest.mark.asyncio
async def test_the_create_function_alone_and_a_commit(db_session):
    made = await create_authors(db_session)
    await db_session.commit()
    assert made.fiction.label == "fiction"  # not expired by the commit
    assert await _count(db_session, Author) == 3


@pytest.mark.asyncio
async def test_a_variant_fixture(authors__two_authors, db_session):
    assert [a.name for a in authors__two_authors.authors] == ["author 1", "author 2"]
    assert [
        b.author for b in authors__two_authors.books
    ] == authors__two_authors.authors
    assert await _count(db_session, Book) == 2


@pytest.mark.asyncio
async def test_create_dispatches_to_an_awaited_variant(db_session):
    made = await create_authors(
        db_session, variant="no_books", overrides={"authors": {1: {"name": "Ann"}}}
    )
    assert made.books == []
    assert [a.name for a in made.authors] == ["author 1", "Ann", "author 3"]
    assert await _count(db_session, Book) == 0


@pytest.mark.asyncio
async def test_make_returns_an_awaitable_per_call(make_authors, db_session):
    first = await make_authors()
    second = await make_authors(variant="two_authors", fiction={"label": "poetry"})
    assert first.fiction is not second.fiction
    assert second.fiction.label == "poetry"
    assert (
        await _count(db_session, Shelf) == 2 and await _count(db_session, Author) == 5
    )
    with pytest.raises(LookupError, match='authors has no variant "two"'):
        await make_authors(variant="two")


@pytest.mark.asyncio
async def test_bulk_rows_in_an_async_session(big_shelf, db_session):
    rows = (
        await db_session.execute(
            text("SELECT id, title, author_id, shelf_id FROM book ORDER BY id")
        )
    ).all()
    assert len(rows) == 60
    for i, (book, row) in enumerate(zip(big_shelf.volumes, rows, strict=True)):
        assert (book.id, row.title) == (row.id, f"volume {i + 1}")
        assert row.author_id == big_shelf.writers[i % 3].id
        assert row.shelf_id == big_shelf.fiction.id
        # From the identity map: no await, no lazy load.
        assert book.author is big_shelf.writers[i % 3]
        assert book.title == row.title
    # The shelf's collection was loaded before the books existed: it loads again, awaited.
    assert len(await big_shelf.fiction.awaitable_attrs.books) == 60


@pytest.mark.asyncio
async def test_bulk_variant_and_overrides_async(make_big_shelf, db_session):
    made = await make_big_shelf(
        "short",
        fiction={"label": "bulk"},
        volumes={"title": "same", 0: {"title": "first"}},
    )
    titles = (await db_session.scalars(select(Book.title).order_by(Book.id))).all()
    assert titles == ["first"] + ["same"] * 49
    assert made.fiction.label == "bulk"
    assert [b.title for b in made.volumes[:2]] == ["first", "same"]
