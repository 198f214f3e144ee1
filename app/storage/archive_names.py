"""``citat names merge``: the name rules of saving, applied to an archive already stored.

Speakers: titles dropped (:func:`~app.storage.names.clean_name`, a rename), the same name in
other letters, full names that :func:`~app.storage.people.same_person` says are one person,
and a bare surname into the archive's only person with it when they share evidence — every
merge through :func:`app.storage.corrections.merge_speakers`, so it is in the audit log.
Entities: normalised names (titles, genitives, case), a bare person name into the full name
its article gives or the speaker it was merged into, one entity per name, labelled by the
majority of its mentions. The caller commits (or, for a dry run, rolls back) once.

A speaker that a person's correction names (moved a quote to, split, renamed, merged) is
never merged away: corrections by people are not undone by a machine.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass

from sqlalchemy import delete, func, update
from sqlmodel import Session, col, select

from app.storage import aggregates
from app.storage.corrections import merge_speakers, rename_speaker
from app.storage.identity import SpeakerLookup
from app.storage.models import (
    Correction,
    Entity,
    EntityMention,
    Quote,
    Speaker,
    SpeakerAlias,
    User,
    fold_key,
    surname_key,
)
from app.storage.names import clean_name, name_key
from app.storage.people import Person, first_and_last, full_name_in_article, is_bare, the_one
from app.storage.search import reindex_where

#: The account the automatic merges are logged under (it cannot log in).
SYSTEM_USER = "citat-names"


@dataclass(frozen=True)
class Step:
    """One change: what (``action`` as in the audit log), from which name to which."""

    action: str
    before: str
    after: str


def system_user(session: Session) -> User:
    """The account automatic corrections are logged under: made on first use, no password
    (an argon2 check of "!" always fails) and inactive, so nobody logs in as it."""
    user = session.exec(select(User).where(User.username == SYSTEM_USER)).first()
    if user is None:
        # "!" is no argon2 hash: every password check fails.
        user = User(username=SYSTEM_USER, password_hash="!", role="system",  # noqa: S106
                    active=False)
        session.add(user)
        session.flush()
    return user


def protected_speakers(session: Session, system: User) -> set[int]:
    """Ids of the speakers people's corrections chose (a quote's speaker, a split, a merge
    target, a rename): never merged away or renamed automatically. A speaker a correction
    only moved a quote away from is not protected."""
    ids: set[int] = set()
    for sid, after in session.exec(
            select(Correction.speaker_id, Correction.after)
            .where(Correction.user_id != system.id)):
        if sid is not None:
            ids.add(sid)
        try:
            value = json.loads(after) if after else None
        except ValueError:
            continue
        if isinstance(value, dict) and isinstance(value.get("id"), int):
            ids.add(value["id"])
    return ids


def merge_names(session: Session) -> list[Step]:
    """Apply the name rules to the stored archive (see the module); the steps taken."""
    system = system_user(session)
    protected = protected_speakers(session, system)
    steps = _speakers(session, system, protected)
    steps += _entities(session, system)
    session.flush()
    return steps


def _merge(session: Session, system: User, source: Speaker, target: Speaker) -> Step:
    step = Step("speaker_merge", source.name, target.name)
    merge_speakers(session, system, source.slug, target.slug)
    return step


def _speakers(session: Session, system: User, protected: set[int]) -> list[Step]:
    steps: list[Step] = []
    # Titles and adjectives in front of a name: renamed, or merged into that name's speaker.
    for sp in list(session.exec(select(Speaker).order_by(col(Speaker.id)))):
        clean = clean_name(sp.name, sp.kind)
        if not clean or clean == sp.name or sp.id in protected:
            continue
        other = session.exec(select(Speaker).where(Speaker.name_key == fold_key(clean),
                                                   Speaker.id != sp.id)).first()
        if other is not None:
            steps.append(_merge(session, system, sp, other))
        else:
            steps.append(Step("speaker_rename", sp.name, clean))
            rename_speaker(session, system, sp.slug, clean)
    # The same name in other letters, and full names that are one person: into the oldest.
    people = list(session.exec(select(Speaker).order_by(col(Speaker.id))))
    by_surname: dict[str, list[Speaker]] = defaultdict(list)
    for sp in people:
        by_surname[surname_key(sp.name) if sp.kind == "PER" else fold_key(sp.name)].append(sp)
    gone: set[int] = set()
    for group in by_surname.values():
        for i, sp in enumerate(group):
            if sp.id in protected:
                continue
            earlier = [t for t in group[:i] if t.id not in gone and t.kind == sp.kind]
            same = [t for t in earlier if fold_key(t.name) == fold_key(sp.name)]
            if not same and sp.kind == "PER" and first_and_last(sp.name) is not None:
                full = [t for t in earlier if first_and_last(t.name) is not None]
                found = the_one(Person(sp.name), [Person(t.name) for t in full])
                same = [] if found is None else [full[found]]
            if same:
                steps.append(_merge(session, system, sp, same[0]))
                gone.add(sp.id or 0)
    # A bare surname: into the only person with it, when they share evidence.
    lookup = SpeakerLookup(session, set())
    for group in by_surname.values():
        live = [sp for sp in group if sp.id not in gone and sp.kind == "PER"]
        full = [sp for sp in live if not is_bare(sp.name)]
        for sp in live:
            if not is_bare(sp.name) or sp.id in protected or len(full) != 1:
                continue
            if the_one(lookup.person(sp), [lookup.person(full[0])]) is not None:
                steps.append(_merge(session, system, sp, full[0]))
                gone.add(sp.id or 0)
    return steps


def _entities(session: Session, system: User) -> list[Step]:
    steps: list[Step] = []
    entities = {e.id: e for e in session.exec(select(Entity).order_by(col(Entity.id)))
                if e.id is not None}
    keys = {e.name_key for e in entities.values()}
    # Where each entity goes: its clean name ("" drops its mentions), or the speaker a name
    # was merged into.
    merged = dict(session.exec(
        select(SpeakerAlias.text_key, Speaker.name)
        .join(Speaker, col(Speaker.id) == SpeakerAlias.speaker_id)
        .where(SpeakerAlias.kind == "merged")).all())
    target: dict[int, str] = {}
    for eid, e in entities.items():
        clean = clean_name(e.name, e.label, keys.__contains__)
        if clean and e.label in ("PER", "ORG"):
            clean = merged.get(name_key(clean), clean)
        target[eid] = clean
    moves = _article_full_names(session, entities, target)
    groups: dict[str, list[int]] = defaultdict(list)
    for eid in entities:
        if target[eid]:
            groups[name_key(target[eid])].append(eid)
    # Kept: the oldest entity already under the clean name (its page's URL stays), else the
    # oldest of the group.
    keep = {key: min(ids, key=lambda eid: (entities[eid].name != target[eid], eid))
            for key, ids in groups.items()}
    touched = set(session.exec(select(EntityMention.article_id).distinct().where(
        col(EntityMention.entity_id).in_(
            [eid for eid in entities if not target[eid]
             or keep[name_key(target[eid])] != eid or target[eid] != entities[eid].name]
            + [eid for eid, _ in moves]))))
    with aggregates.kept(session, touched):
        for (eid, article_id), name in moves.items():
            to = keep.get(name_key(name))
            if to is not None:
                session.execute(update(EntityMention).where(
                    col(EntityMention.entity_id) == eid,
                    col(EntityMention.article_id) == article_id).values(entity_id=to))
                steps.append(_log(session, system, "entity_merge", entities[eid],
                                  entities[to]))
        for eid, e in entities.items():
            to = keep.get(name_key(target[eid])) if target[eid] else None
            if to == eid:
                continue
            if to is None:
                session.execute(delete(EntityMention).where(col(EntityMention.entity_id) == eid))
                steps.append(_log(session, system, "entity_drop", e, None))
            else:
                session.execute(update(EntityMention).where(
                    col(EntityMention.entity_id) == eid).values(entity_id=to))
                steps.append(_log(session, system, "entity_merge", e, entities[to]))
    gone = [eid for eid in entities if keep.get(name_key(target[eid])) != eid]
    session.flush()
    emptied = {eid for eid, _ in moves} - set(gone)
    gone += [eid for eid in emptied if session.exec(select(EntityMention.id).where(
        EntityMention.entity_id == eid).limit(1)).first() is None]
    for eid in gone:
        session.execute(delete(Entity).where(col(Entity.id) == eid))
    session.flush()
    steps += _rename_and_relabel(session, system, {eid: target[eid] for eid in keep.values()
                                                   if eid not in gone})
    quote_ids = [q for q in session.exec(select(Quote.id).where(
        col(Quote.article_id).in_(sorted(touched)), col(Quote.hidden).is_(False)))
        if q is not None]
    reindex_where(session, ids=quote_ids)  # the index holds the names of the entities
    return steps


def _article_full_names(session: Session, entities: dict[int, Entity],
                        target: dict[int, str]) -> dict[tuple[int, int], str]:
    """(bare person entity, article) -> the full name that article gives it."""
    bare = [eid for eid, e in entities.items()
            if e.label == "PER" and target[eid] and is_bare(target[eid])]
    if not bare:
        return {}
    articles = session.exec(select(EntityMention.entity_id, EntityMention.article_id)
                            .distinct().where(col(EntityMention.entity_id).in_(bare))).all()
    wanted = sorted({a for _, a in articles})
    people: dict[int, set[str]] = defaultdict(set)
    for article_id, eid in session.exec(
            select(EntityMention.article_id, EntityMention.entity_id).distinct()
            .where(col(EntityMention.article_id).in_(wanted))):
        e = entities.get(eid)
        if e is not None and e.label == "PER" and target[eid]:
            people[article_id].add(target[eid])
    out: dict[tuple[int, int], str] = {}
    for eid, article_id in articles:
        full = full_name_in_article(target[eid], people[article_id])
        if full is not None and eid is not None:
            out[(eid, article_id)] = full
    return out


def _rename_and_relabel(session: Session, system: User, names: dict[int, str]) -> list[Step]:
    """Each kept entity under its clean name and the label most of its mentions have."""
    counts: dict[int, Counter[str]] = defaultdict(Counter)
    for eid, label, n in session.exec(
            select(EntityMention.entity_id, EntityMention.label, func.count())
            .where(EntityMention.label != "")
            .group_by(col(EntityMention.entity_id), col(EntityMention.label))):
        counts[eid][label] = int(n)
    steps: list[Step] = []
    for eid, name in sorted(names.items()):
        e = session.get(Entity, eid)
        if e is None:
            continue
        ranked = counts[eid].most_common()
        label = e.label
        if ranked and ranked[0][1] > counts[eid][e.label]:
            label = ranked[0][0]
        if (name, label) != (e.name, e.label):
            before = Entity(name=e.name, label=e.label, slug=e.slug)
            e.name, e.label = name, label
            session.add(e)
            session.flush()
            steps.append(_log(session, system, "entity_rename", before, e))
    return steps


def _log(session: Session, system: User, action: str, before: Entity, after: Entity | None
         ) -> Step:
    """An entity change in the audit log (the ``correction`` table), as a step."""
    def ref(e: Entity | None) -> dict[str, str] | None:
        return None if e is None else {"name": e.name, "label": e.label, "slug": e.slug}

    assert system.id is not None
    session.add(Correction(action=action, user_id=system.id,
                           before=json.dumps(ref(before), ensure_ascii=False),
                           after=json.dumps(ref(after), ensure_ascii=False)))
    return Step(action, f"{before.name} ({before.label})",
                f"{after.name} ({after.label})" if after else "")
