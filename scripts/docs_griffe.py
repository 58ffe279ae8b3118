"""Griffe extension for the documentation site: Sphinx roles in docstrings as links.

The docstrings cross-reference with Sphinx roles (``:func:`~emob_sim.run```); mkdocstrings
renders Markdown, where such a role would show as text. Each role becomes an optional
cross-reference: a link where the target is on the site, its name in code where it is not
(a private module, another library). ``mkdocs.yml`` loads this file under the Python handler's
``extensions``.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

#: ``:role:`target``` or ``:role:`~target``` (the tilde: show the last part only)
ROLE = re.compile(r":(?:py:)?(?:func|meth|class|mod|data|attr|exc|obj|const):`(~?)([^`<>]+?)`")


def markdown_roles(text: str) -> str:
    """``text`` with every Sphinx role replaced by an optional autorefs cross-reference."""

    def link(m: re.Match[str]) -> str:
        target = m[2].strip().removesuffix("()")
        title = target.rsplit(".", 1)[-1] if m[1] else target
        return f'<autoref identifier="{target}" optional><code>{title}</code></autoref>'

    return ROLE.sub(link, text)


class SphinxRoles(griffe.Extension):
    """Rewrite the roles of every docstring as it is loaded."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        """Griffe event: an object (module, class, function, attribute) was loaded."""
        if obj.docstring is not None:
            obj.docstring.value = markdown_roles(obj.docstring.value)
