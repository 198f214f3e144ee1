"""The audit log in words: what each correction did, and its before/after values in plain
language instead of the stored JSON."""

from __future__ import annotations

import json
from typing import Any

from app.web.i18n import gettext_ as _
from app.web.messages import N_

ACTIONS = {
    "quote_speaker": N_("Changed the speaker"),
    "quote_kind": N_("Changed the kind"),
    "not_a_quote": N_("Marked as not a quote"),
    "reviewed": N_("Confirmed the attribution"),
    "speaker_rename": N_("Renamed a speaker"),
    "speaker_merge": N_("Merged two speakers"),
    "speaker_split": N_("Split a name off a speaker"),
    "entity_merge": N_("Merged two entities"),
    "entity_rename": N_("Renamed or relabelled an entity"),
    "entity_drop": N_("Dropped an entity that names nobody"),
}
KINDS = {"direct": N_("direct"), "partial": N_("partial"), "indirect": N_("indirect")}


def action_label(action: str) -> str:
    """What a correction did, in the reader's language."""
    return _(ACTIONS[action]) if action in ACTIONS else action


def audit_value(stored: str | None) -> str:
    """A stored before/after value (JSON) as words: a speaker's name, a kind, yes/no."""
    try:
        value: Any = json.loads(stored) if stored else None
    except ValueError:
        return stored or ""
    if value is None:
        return _("(unknown speaker)")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, dict):
        return str(value.get("name", ""))
    if isinstance(value, str):
        return _(KINDS[value]) if value in KINDS else value
    return str(value)
