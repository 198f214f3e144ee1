"""A request that cannot be done, told to the person who made it.

Each layer raises its own kind, so a type says what went wrong: ``IngestError`` (an article
that cannot be ingested: app/ingest), ``AccountError`` and ``EditError`` (an account or a
correction that cannot be made: app/services), ``FormError`` and ``RequestRefused`` (a form
that cannot be accepted, a client asked to wait: app/web). The web shows every kind the same
way, in the reader's language (app/web/errors.py); the command line prints ``message``.
"""

from __future__ import annotations


class Refusal(ValueError):
    """A refusal with a message meant for a person; ``field`` names the form field at fault.

    With ``params``, ``message`` is a message id with ``%(name)s`` placeholders that the web
    layer translates (Babel catalog) before filling them in; ``.message`` is the English text.
    ``status`` is the HTTP status the refusal gets (400 unless said otherwise).
    """

    def __init__(self, message: str, field: str | None = None, *,
                 params: dict[str, object] | None = None, status: int = 400,
                 translate: bool = False) -> None:
        self.msgid = message
        self.params = dict(params or {})
        self.translate = translate or params is not None
        self.message = message % self.params if params is not None else message
        super().__init__(self.message)
        self.field = field
        self.status = status
