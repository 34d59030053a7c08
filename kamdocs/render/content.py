"""The content template: one Jinja template that writes every proposal's Markdown."""

from __future__ import annotations

import re
from pathlib import Path

import jinja2

from kamdocs import formatting
from kamdocs.errors import Problem
from kamdocs.render.context import TemplateContext
from kamdocs.templating import TemplateFailure, describe, environment, syntax_line

TEMPLATE = "proposal.md.j2"


def _template(root: Path) -> jinja2.Template:
    return environment(root).get_template(TEMPLATE)


def _display(root: Path, name: str) -> str:
    path = Path(name)
    return str(path if path.is_absolute() or path.parts[:1] == root.parts[:1] else root / name)


def check_template(root: Path) -> list[Problem]:
    """Compile the content template; a syntax error becomes a located problem."""
    if not (root / TEMPLATE).is_file():
        return [Problem(str(root / TEMPLATE), 1, "", "the content template is missing")]
    try:
        _template(root)
    except jinja2.TemplateSyntaxError as exc:
        return [
            Problem(
                _display(root, exc.filename or TEMPLATE),
                syntax_line(exc),
                "",
                f"template syntax error: {exc.message}",
            )
        ]
    except jinja2.TemplateError as exc:
        return [Problem(str(root / TEMPLATE), 1, "", f"template error: {exc}")]
    return []


def render_markdown(root: Path, context: TemplateContext) -> str:
    """The proposal's Markdown; a template failure raises ``TemplateFailure`` with file and line."""
    try:
        text = _template(root).render(context.as_dict())
    except TemplateFailure:
        raise
    except Exception as exc:  # noqa: BLE001 - any failure in marketing's template is located, not a traceback
        failure = describe(exc, TEMPLATE)
        raise TemplateFailure(_display(root, failure.name), failure.line, failure.message) from None
    # Tidy blank-line runs left by template logic: stable, readable Markdown.
    lines = [line.rstrip() for line in text.splitlines()]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return formatting.figures("\n".join(out).strip() + "\n", context.lang)


# Python-Markdown's attribute lists, "{: .title }" at the end of a heading or on a line of its
# own under a paragraph. Never one a value printed: values have every "{" escaped.
_ATTR_LINE_RE = re.compile(r"^[ \t]*(?<!\\)\{:[^{}\n]*\}[ \t]*\n", re.MULTILINE)
_ATTR_END_RE = re.compile(r"[ \t]+(?<!\\)\{:[^{}\n]*\}[ \t]*$", re.MULTILINE)


def portable(markdown: str) -> str:
    """The Markdown as written to the ``.md`` file: the attribute lists that style the HTML and
    the DOCX are taken out, so the file reads as plain CommonMark/GFM anywhere (GitHub, GitLab,
    pandoc). Nothing else changes."""
    if "{:" not in markdown:
        return markdown
    # Neither pattern crosses a line break, so only the lines that hold "{:" are given to them:
    # over the whole text, the second (which starts with a space or tab) is tried at every space.
    out: list[str] = []
    done = 0
    at = markdown.find("{:")
    while at != -1:
        start = markdown.rfind("\n", 0, at) + 1
        end = markdown.find("\n", at) + 1 or len(markdown)  # with its line break, if any
        out.append(markdown[done:start])
        out.append(_ATTR_END_RE.sub("", _ATTR_LINE_RE.sub("", markdown[start:end])))
        done = end
        at = markdown.find("{:", end)
    out.append(markdown[done:])
    return "".join(out)
