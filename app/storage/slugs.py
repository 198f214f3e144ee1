"""Slugs of speaker and entity pages: derived from the name, unique, never changed."""

from __future__ import annotations

from functools import lru_cache

from slugify import slugify
from sqlmodel import Session, col, select

from app.storage.models import Entity, Speaker


@lru_cache(maxsize=20_000)
def slug_of(name: str) -> str:
    """The slug a name's speaker or entity page gets ("x" for a name with no letters).

    Cached: saving an article asks for the slug of every name in it, the same names come
    back article after article, and python-slugify costs ~40 us a name (~20 names an article).
    """
    return slugify(name) or "x"


def unique_slug(session: Session, model: type[Speaker] | type[Entity], base: str,
                 taken: set[str] | None = None) -> str:
    """``base``, or ``base-2``, ``base-3`` …: the first not in ``taken`` nor stored."""
    base = base or "x"
    taken = taken or set()
    slug, n = base, 1
    while slug in taken or session.exec(
            select(model.id).where(model.slug == slug)).first() is not None:
        n += 1
        slug = f"{base}-{n}"
    return slug


def free_slug(session: Session, model: type[Speaker] | type[Entity], base: str,
               taken: set[str]) -> str:
    """``base`` when ``taken`` (read by :func:`taken_slugs` for it) does not hold it, else
    the first free ``base-2``, ``base-3`` …"""
    return base if base not in taken else unique_slug(session, model, base, taken)


def taken_slugs(session: Session, model: type[Speaker] | type[Entity], asked: set[str]
                 ) -> set[str]:
    """Which of the ``asked`` slugs are stored already (one query per 500)."""
    wanted = sorted(asked)
    taken: set[str] = set()
    for i in range(0, len(wanted), 500):
        taken.update(session.exec(select(model.slug).where(col(model.slug).in_(
            wanted[i:i + 500]))))
    return taken
