"""Reading the upload form without losing what the reader typed.

Starlette's multipart parser refuses the whole form when one field is longer than
``max_part_size`` (the reader then gets a bare error and loses the pasted text, the title and
the source). :class:`KeepingParser` keeps the first ``max_part_size`` bytes of such a field
instead, drops the rest as it streams past (memory stays bounded) and counts how many bytes
it dropped, so the form can come back filled in with a message that says how much was too
much.
"""

from __future__ import annotations

from starlette.datastructures import FormData
from starlette.formparsers import MultiPartParser
from starlette.requests import Request


class KeepingParser(MultiPartParser):
    """A multipart parser that cuts over-long text fields instead of refusing the form."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        #: Bytes dropped from each over-long text field, by field name.
        self.dropped: dict[str, int] = {}

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        part = self._current_part
        if part.file is None:
            room = max(0, self.max_part_size - len(part.data))
            if end - start > room:
                part.data.extend(data[start:start + room])
                self.dropped[part.field_name] = (self.dropped.get(part.field_name, 0)
                                                 + (end - start - room))
                return
        super().on_part_data(data, start, end)

    def on_part_end(self) -> None:
        part = self._current_part
        if part.file is None and part.field_name in self.dropped:
            # The cut may fall inside a UTF-8 sequence: end on a whole character.
            kept = bytes(part.data).decode("utf-8", "ignore").encode("utf-8")
            self.dropped[part.field_name] += len(part.data) - len(kept)
            part.data = bytearray(kept)
        super().on_part_end()


async def read_form(request: Request, *, max_files: int, max_fields: int, max_part_size: int
                    ) -> tuple[FormData, dict[str, int]]:
    """The form, and the bytes cut from each over-long text field (multipart only)."""
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        parser = KeepingParser(request.headers, request.stream(), max_files=max_files,
                               max_fields=max_fields, max_part_size=max_part_size)
        return await parser.parse(), parser.dropped
    form = await request.form(max_files=max_files, max_fields=max_fields,
                              max_part_size=max_part_size)
    return form, {}
