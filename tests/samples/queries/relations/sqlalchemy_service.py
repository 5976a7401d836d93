from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from library.models import Author, Book


def book_titles_with_authors(session: Session) -> list[str]:
    books = session.scalars(select(Book).where(Book.id > 0)).all()
    return [f"{b.title} by {b.author.name}" for b in books]


def author_book_counts(session: Session) -> dict[str, int]:
    counts = {}
    for author in session.scalars(select(Author)):
        counts[author.name] = len(author.books)
    return counts


def safe_titles(session: Session) -> list[str]:
    books = session.scalars(select(Book).options(joinedload(Book.author))).all()
    return [f"{b.title} by {b.author.name} ({len(b.reviews)})" for b in books]


def safe_counts(session: Session) -> dict[str, int]:
    stmt = select(Author).options(selectinload(Author.books))
    return {a.name: len(a.books) for a in session.scalars(stmt)}
