"""Jinja's compiled templates with fewer Python calls a page, the same text.

Two changes to the code Jinja generates for ``{{ … }}`` output, every page:

- **One ``yield`` an output run, not one a piece.** Jinja compiles a run of template text and
  expressions (the text between two ``{% … %}`` tags) to one ``yield`` a piece, and with
  ``{% extends %}`` every piece a block yields resumes the block's generator and each
  template's ``root`` generator above it (~120 pieces and ~310 generator resumptions a
  permalink). Here the run's pieces are gathered in a list and joined into one string that is
  yielded once: the page is the same text (the pieces are joined in the same order either
  way), in fewer, larger chunks.
- **Escaping without a ``Markup`` a value.** ``markupsafe.escape`` wraps every value it
  escapes in a new ``Markup`` (a ``hasattr`` and a ``str.__new__`` more), and escapes a
  ``Markup`` by building a copy of it; output is joined into a plain string at once, so here
  a ``str`` is escaped to a ``str`` (markupsafe's own escaping routine) and a ``Markup`` is
  output as it is. Anything else (numbers, ``Undefined``, objects with ``__html__``) goes
  through ``markupsafe.escape`` as before.

Code compiled this way is kept under bytecode names of its own (``BYTECODE_PATTERN``), so a
process running other code never loads it, nor this one theirs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jinja2
import markupsafe
from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame
from markupsafe import Markup

#: Bytecode cache file names for templates compiled by ``CitatCodeGenerator``.
BYTECODE_PATTERN = "__citat_jinja_2_%s.cache"

_escape_inner: Callable[[str], str] | None = getattr(markupsafe, "_escape_inner", None)


def escape_text(value: Any) -> str:
    """What ``markupsafe.escape(value)`` gives, as text (not wrapped in a new ``Markup``)."""
    kind = type(value)
    if kind is str and _escape_inner is not None:
        return _escape_inner(value)
    if kind is Markup:
        return value  # type: ignore[no-any-return]
    return markupsafe.escape(value)


_PARTS = "_citat_parts"


class CitatCodeGenerator(CodeGenerator):
    """Jinja's code generator with the two changes of the module docstring."""

    def _output_child_pre(self, node: nodes.Expr, frame: Frame, finalize: Any) -> None:
        if frame.eval_ctx.autoescape and not frame.eval_ctx.volatile \
                and finalize.src is None:
            self.write("environment.citat_escape(")
            return
        super()._output_child_pre(node, frame, finalize)

    def visit_Output(self, node: nodes.Output, frame: Frame) -> None:
        if frame.buffer is not None or len(node.nodes) < 2 or (
                frame.require_output_check and self.has_known_extends):
            super().visit_Output(node, frame)
            return
        # Jinja's buffered form (``_citat_parts.extend((…))``), then one yield of the joined
        # pieces; under an ``if parent_template is None:`` when Jinja puts one around it.
        if frame.require_output_check:
            self.writeline("if parent_template is None:")
            self.indent()
        self.writeline(f"{_PARTS} = []")
        frame.buffer = _PARTS
        check, frame.require_output_check = frame.require_output_check, False
        try:
            super().visit_Output(node, frame)
        finally:
            frame.buffer = None
            frame.require_output_check = check
        self.writeline(f"yield environment.concat({_PARTS})")
        if frame.require_output_check:
            self.outdent()


class CitatEnvironment(jinja2.Environment):
    """A Jinja environment compiling with ``CitatCodeGenerator`` (its overlays too)."""

    code_generator_class = CitatCodeGenerator
    citat_escape = staticmethod(escape_text)
