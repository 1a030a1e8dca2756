"""The async output in an async test suite: fixtures, create functions and what is loaded."""

import pytest
from sqlalchemy import func, select
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
