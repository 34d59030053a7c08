"""``kamdocs templates check``: what marketing can get wrong in ``templates/``, found before a
dossier meets it.

Every template and library text must compile; every name, filter and test it uses must be in
the template context that the renderer builds (``kamdocs.render.context``: its records are the
one declaration, read here); every class of a ``{: .x }`` mark must have a CSS rule and a DOCX
paragraph style, and every style the DOCX writer looks up must exist; every language in use must
have every text; every persona kind must have an argument and every argument a persona that
weighs it; and, last, every dossier must render in every format. ``kamdocs validate`` runs the
same checks.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import typing
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import nodes

from kamdocs.errors import InputError, Problem, closest, split
from kamdocs.library import ANY_LANGUAGE, KINDS, Library, Origin, load_library, pick_key

CONTENT_TEMPLATE = "proposal.md.j2"
STYLESHEET = "proposal.css"
REFERENCE_DOCX = "reference.docx"
FORMATS = ("md", "docx", "html")


@dataclass(frozen=True, order=True)
class Finding(Problem):
    """A problem of the templates: with a column where known and a code saying what kind.

    ``line`` 0 means the whole file (a style missing from reference.docx): printed as ``FILE:``.
    """

    column: int = 0
    code: str = ""

    def __str__(self) -> str:
        if self.line:
            return super().__str__()
        where = f"{self.path}: warning" if self.is_warning else self.path
        return (
            f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )

    def as_warning(self) -> Finding:
        return dataclasses.replace(self, level="warning")

    def as_error(self) -> Finding:
        return dataclasses.replace(self, level="error")

    def as_json(self) -> dict[str, Any]:
        return {
            "file": self.path,
            "line": self.line or None,
            "column": self.column or None,
            "level": self.level,
            "code": self.code,
            "message": f"{self.field}: {self.message}" if self.field else self.message,
        }


def as_json(problems: list[Problem]) -> list[dict[str, Any]]:
    """Problems as ``{file, line, column, level, code, message}`` (``--format json``)."""
    out = []
    for p in problems:
        if isinstance(p, Finding):
            out.append(p.as_json())
        else:
            message = f"{p.field}: {p.message}" if p.field else p.message
            out.append(
                {
                    "file": p.path,
                    "line": p.line or None,
                    "column": None,
                    "level": p.level,
                    "code": "input",
                    "message": message,
                }
            )
    return out


# --- the declared context ------------------------------------------------------------------------


@dataclass(frozen=True)
class Shape:
    """What a name in a template stands for, as far as the check follows it.

    ``record``: a NamedTuple of the context (its fields are all there is); ``list``: items of
    ``item``; ``dict``: keys ``keys`` (None: any); ``leaf``: a value of class ``leaf``
    (str, Decimal, date: its methods only); ``any``: not followed (a loop variable of a filtered
    list, a ``set`` of a call).
    """

    kind: str
    record: type | None = None
    item: Shape | None = None
    keys: frozenset[str] | None = None
    leaf: type | None = None


ANY = Shape("any")


def _shape(annotation: Any, keys: frozenset[str] | None) -> Shape:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _shape(args[0], keys) if len(args) == 1 else ANY
    if origin is list:
        (item,) = typing.get_args(annotation) or (Any,)
        return Shape("list", item=_shape(item, keys))
    if origin is dict or (isinstance(origin, type) and issubclass(origin, Mapping)):
        return Shape("dict", keys=keys)
    if (
        isinstance(annotation, type)
        and issubclass(annotation, tuple)
        and hasattr(annotation, "_fields")
    ):
        return Shape("record", record=annotation)
    if isinstance(annotation, type):
        return Shape("leaf", leaf=annotation)
    return ANY


def fields_of(record: type) -> dict[str, Any]:
    """The fields of a context record and their types."""
    hints = typing.get_type_hints(record)
    return {name: hints[name] for name in record._fields}


def declared(record: type, wording: frozenset[str] | None = None) -> dict[str, Shape]:
    """The top-level names a template of ``record``'s context receives, with their shapes;
    ``wording``: the keys of ``t`` (the locale files' keys)."""
    return {name: _shape(kind, wording) for name, kind in fields_of(record).items()}


def context_paths(record: type, prefix: str = "") -> Iterator[str]:
    """Every name the context declares, nested: ``client.name``, ``sections[].readers[].name``."""
    for name, kind in fields_of(record).items():
        path = f"{prefix}{name}"
        yield path
        shape = _shape(kind, None)
        while shape.kind == "list" and shape.item is not None:
            shape, path = shape.item, path + "[]"
        if shape.kind == "record" and shape.record is not None:
            yield from context_paths(shape.record, path + ".")


# --- names used in a template --------------------------------------------------------------------


def _attributes(shape: Shape) -> list[str]:
    if shape.kind == "record" and shape.record is not None:
        return list(shape.record._fields)
    if shape.kind == "dict":
        return sorted(shape.keys or ())
    return []


def _lookup(shape: Shape, attr: str) -> Shape | None:
    """The shape of ``attr`` on ``shape``; None when it does not exist there."""
    if shape.kind == "record" and shape.record is not None:
        fields = fields_of(shape.record)
        if attr in fields:
            return _shape(fields[attr], None)
        # A property the record declares (``supplier.line``) is part of the declaration.
        return ANY if isinstance(getattr(shape.record, attr, None), property) else None
    if shape.kind == "dict":
        if shape.keys is None or attr in shape.keys:
            return Shape("leaf", leaf=str) if shape.keys is not None else ANY
        return ANY if hasattr(dict, attr) else None
    if shape.kind == "list":
        return ANY if hasattr(list, attr) else None
    if shape.kind == "leaf" and shape.leaf is not None and shape.leaf is not object:
        return ANY if hasattr(shape.leaf, attr) else None
    return ANY


# Filters that give back the list they are given (filtered or reordered) or one of its items.
_KEEPS_LIST = frozenset({"sort", "reverse", "list", "selectattr", "rejectattr", "select", "reject",
                         "unique"})  # fmt: skip
_GIVES_ITEM = frozenset({"first", "last", "random"})
_ALWAYS_KNOWN = frozenset({"self"})


@dataclass
class _Used:
    """One wrong name: where, what was written, and what was probably meant."""

    line: int
    written: str
    meant: str | None
    what: str = "name"  # or "filter", "test", "template"


class _Checker:
    """Walks a parsed template, following the shapes of the names it uses."""

    def __init__(self, env: jinja2.Environment, top: dict[str, Shape]):
        self.env, self.top = env, top
        self.found: list[_Used] = []

    # statements

    def block(self, body: list[nodes.Node], scope: dict[str, Shape]) -> None:
        for node in body:
            self.stmt(node, scope)

    def stmt(self, node: nodes.Node, scope: dict[str, Shape]) -> None:  # noqa: C901 - one case a tag
        if isinstance(node, nodes.For):
            items = self.expr(node.iter, scope)
            inner = dict(scope)
            self.bind(
                node.target, items.item if items.kind == "list" and items.item else ANY, inner
            )
            inner["loop"] = ANY
            if node.test is not None:
                self.expr(node.test, inner)
            self.block(node.body, inner)
            self.block(node.else_, scope)
        elif isinstance(node, nodes.If):
            self.expr(node.test, scope)
            self.block(node.body, scope)
            for branch in node.elif_:
                self.stmt(branch, scope)
            self.block(node.else_, scope)
        elif isinstance(node, nodes.Assign):
            self.bind(node.target, self.expr(node.node, scope), scope)
        elif isinstance(node, nodes.AssignBlock):
            if node.filter is not None:
                self.expr(node.filter, scope)
            self.block(node.body, scope)
            self.bind(node.target, ANY, scope)
        elif isinstance(node, nodes.Macro):
            scope[node.name] = ANY
            for default in node.defaults:
                self.expr(default, scope)
            inner = dict(scope)
            for arg in node.args:
                inner[arg.name] = ANY
            inner.update(varargs=ANY, kwargs=ANY, caller=ANY)
            self.block(node.body, inner)
        elif isinstance(node, nodes.CallBlock):
            self.expr(node.call, scope)
            inner = dict(scope)
            for arg in node.args:
                inner[arg.name] = ANY
            self.block(node.body, inner)
        elif isinstance(node, nodes.FilterBlock):
            self.expr(node.filter, scope)
            self.block(node.body, scope)
        elif isinstance(node, nodes.With):
            inner = dict(scope)
            for target, value in zip(node.targets, node.values, strict=False):
                self.bind(target, self.expr(value, scope), inner)
            self.block(node.body, inner)
        elif isinstance(node, nodes.Include | nodes.Extends):
            self.template_name(node.template, scope, getattr(node, "ignore_missing", False))
        elif isinstance(node, nodes.Import):
            self.template_name(node.template, scope, False)
            scope[node.target] = ANY
        elif isinstance(node, nodes.FromImport):
            self.template_name(node.template, scope, False)
            for name in node.names:
                scope[name[1] if isinstance(name, tuple) else name] = ANY
        elif isinstance(node, nodes.Output):
            for child in node.nodes:
                if not isinstance(child, nodes.TemplateData):
                    self.expr(child, scope)
        else:
            for child in node.iter_child_nodes():
                if isinstance(child, nodes.Stmt | nodes.Template):
                    self.stmt(child, scope)
                elif isinstance(child, nodes.Expr):
                    self.expr(child, scope)
                else:
                    self.stmt(child, scope)

    def bind(self, target: nodes.Node, shape: Shape, scope: dict[str, Shape]) -> None:
        if isinstance(target, nodes.Name):
            scope[target.name] = shape
        elif isinstance(target, nodes.Tuple):
            for item in target.items:
                self.bind(item, ANY, scope)
        elif isinstance(target, nodes.NSRef):
            self.name(target.name, target.lineno, target.name, scope)

    def template_name(
        self, expr: nodes.Expr, scope: dict[str, Shape], ignore_missing: bool
    ) -> None:
        names = []
        if isinstance(expr, nodes.Const) and isinstance(expr.value, str):
            names = [expr.value]
        elif isinstance(expr, nodes.List | nodes.Tuple) and all(
            isinstance(i, nodes.Const) for i in expr.items
        ):
            names = [i.value for i in expr.items]
        else:
            self.expr(expr, scope)
            return
        if ignore_missing or self.env.loader is None:
            return
        missing = []
        for name in names:
            try:
                self.env.loader.get_source(self.env, name)
                return  # the first that exists is used
            except jinja2.TemplateNotFound:
                missing.append(name)
        if missing:
            self.found.append(_Used(expr.lineno, " or ".join(missing), None, "template"))

    # expressions

    def expr(self, node: nodes.Node, scope: dict[str, Shape]) -> Shape:
        if isinstance(node, nodes.Name | nodes.Getattr | nodes.Getitem):
            return self.chain(node, scope)
        if isinstance(node, nodes.Filter):
            return self.filter(node, scope)
        if isinstance(node, nodes.Test):
            if node.name not in self.env.tests:
                self.found.append(
                    _Used(node.lineno, node.name, closest(node.name, self.env.tests), "test")
                )
            self.children(node, scope)
            return ANY
        if isinstance(node, nodes.CondExpr):
            self.children(node, scope)
            return ANY
        self.children(node, scope)
        return ANY

    def children(self, node: nodes.Node, scope: dict[str, Shape]) -> None:
        for child in node.iter_child_nodes():
            self.expr(child, scope)

    def filter(self, node: nodes.Filter, scope: dict[str, Shape]) -> Shape:
        given = self.expr(node.node, scope) if node.node is not None else ANY
        for part in (*node.args, *node.kwargs):
            self.expr(part, scope)
        for part in (node.dyn_args, node.dyn_kwargs):
            if part is not None:
                self.expr(part, scope)
        if node.name not in self.env.filters:
            self.found.append(
                _Used(node.lineno, node.name, closest(node.name, self.env.filters), "filter")
            )
            return ANY
        if node.name in _KEEPS_LIST and given.kind == "list":
            return given
        if node.name in _GIVES_ITEM and given.kind == "list" and given.item is not None:
            return given.item
        return ANY

    def chain(self, node: nodes.Node, scope: dict[str, Shape]) -> Shape:
        """A name with its attributes and items (``section.figures[0].label``), followed."""
        links: list[nodes.Node] = []
        root = node
        while isinstance(root, nodes.Getattr | nodes.Getitem):
            links.append(root)
            root = root.node
        links.reverse()
        if isinstance(root, nodes.Name):
            text = root.name
            shape = self.name(root.name, root.lineno, _dotted(root.name, links), scope)
            if shape is None:
                for link in links:
                    if isinstance(link, nodes.Getitem):
                        self.expr(link.arg, scope)
                return ANY
        else:
            text = None
            shape = self.expr(root, scope)
        for link in links:
            if isinstance(link, nodes.Getattr):
                attr = link.attr
            else:
                arg = link.arg
                if isinstance(arg, nodes.Const) and isinstance(arg.value, str):
                    attr = arg.value
                else:
                    self.expr(arg, scope)
                    shape = shape.item if shape.kind == "list" and shape.item else ANY
                    text = f"{text}[{_const_text(arg)}]" if text is not None else None
                    continue
            found = _lookup(shape, attr)
            written = f"{text}.{attr}" if text is not None else attr
            if found is None:
                meant = closest(attr, _attributes(shape))
                meant = (f"{text}.{meant}" if text is not None else meant) if meant else None
                self.found.append(_Used(link.lineno, written, meant))
                return ANY
            shape, text = found, written
        return shape

    def name(self, name: str, line: int, written: str, scope: dict[str, Shape]) -> Shape | None:
        if name in scope:
            return scope[name]
        if name in self.top:
            return self.top[name]
        if name in self.env.globals or name in _ALWAYS_KNOWN:
            return ANY
        known = {*scope, *self.top, *self.env.globals}
        close = closest(name, known)
        meant = close + written[len(name) :] if close else None
        self.found.append(_Used(line, written, meant))
        return None


def _const_text(node: nodes.Node) -> str:
    return repr(node.value) if isinstance(node, nodes.Const) else "…"


def _dotted(name: str, links: list[nodes.Node]) -> str:
    """``clinet.name`` as written (up to the first item that is not a constant)."""
    text = name
    for link in links:
        if isinstance(link, nodes.Getattr):
            text += "." + link.attr
        elif isinstance(link.arg, nodes.Const):
            arg = link.arg.value
            text += f".{arg}" if isinstance(arg, str) else f"[{arg!r}]"
        else:
            break
    return text


def _message(used: _Used) -> tuple[str, str]:
    hint = f"; did you mean '{used.meant}'?" if used.meant else ""
    if used.what == "template":
        return "missing-template", f"template '{used.written}' not found in the templates folder"
    if used.what == "filter":
        return "unknown-filter", f"unknown filter '{used.written}'{hint}"
    if used.what == "test":
        return "unknown-test", f"unknown test '{used.written}'{hint}"
    return "unknown-name", f"unknown name '{used.written}'{hint}"


def _column(source: str, line: int, text: str) -> int:
    lines = source.splitlines()
    if 1 <= line <= len(lines):
        at = lines[line - 1].find(text.split(" or ")[0])
        return at + 1 if at >= 0 else 0
    return 0


def check_source(
    env: jinja2.Environment,
    source: str,
    name: str,
    top: dict[str, Shape],
    path: str,
    first_line: int = 1,
    field: str = "",
) -> list[Finding]:
    """Compile one template or library text and check every name it uses; located findings.

    ``first_line``: the line of ``path`` the text starts at (a library text inside a YAML file).
    """
    at = first_line - 1
    try:
        tree = env.parse(source, name=name, filename=name)
    except jinja2.TemplateSyntaxError as exc:
        from kamdocs.templating import syntax_line  # noqa: PLC0415

        exc.source = source
        line = syntax_line(exc)
        return [
            Finding(path, at + line, field, f"template syntax error: {exc.message}", code="syntax")
        ]
    checker = _Checker(env, top)
    checker.stmt(tree, {})
    findings = []
    for used in checker.found:
        code, message = _message(used)
        # In a library text the column within its YAML line is not known.
        column = 0 if at else _column(source, used.line, used.written)
        findings.append(Finding(path, at + used.line, field, message, column=column, code=code))
    if not findings:
        try:  # what the parser lets through but the compiler refuses
            env.compile(source, name=name, filename=name)
        except jinja2.TemplateSyntaxError as exc:
            findings.append(
                Finding(
                    path, at + exc.lineno, field, f"template error: {exc.message}", code="syntax"
                )
            )
    return findings


# --- the checks ----------------------------------------------------------------------------------


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def check_templates(root: Path, library: Library | None) -> list[Finding]:
    """Every ``*.j2`` under ``root``: compiles, and uses only the declared context."""
    from kamdocs.render.context import TemplateContext  # noqa: PLC0415
    from kamdocs.templating import environment  # noqa: PLC0415

    env = environment(root)
    wording = _wording(library)
    top = declared(TemplateContext, wording)
    findings: list[Finding] = []
    if not (root / CONTENT_TEMPLATE).is_file():
        findings.append(
            Finding(
                str(root / CONTENT_TEMPLATE),
                1,
                "",
                "the content template is missing",
                code="missing-template",
            )  # fmt: skip
        )
    for path in sorted(root.rglob("*.j2")):
        if any(part.startswith(".") for part in path.relative_to(root).parts):
            continue
        source = _read(path)
        if source is None:
            findings.append(Finding(str(path), 1, "", "cannot be read as UTF-8 text", code="read"))
            continue
        findings.extend(check_source(env, source, str(path), top, str(path)))
    return findings


def _wording(library: Library | None) -> frozenset[str] | None:
    if library is None or not library.locales:
        return None
    return frozenset().union(*library.locales.values())


def _library_texts(library: Library) -> Iterator[tuple[str, str, str, str, str]]:
    """(owner, field, language, text, path of the field) of every library text rendered."""
    for arg_id, arg in library.arguments.items():
        for field in ("title", "text", "detail"):
            for lang, text in (getattr(arg, field) or {}).items():
                yield arg_id, field, lang, text, f"[{arg_id}].{field}"
    for i, ref in enumerate(library.references):
        for field in ("project", "result"):
            for lang, text in (getattr(ref, field) or {}).items():
                yield "reference:" + ref.id, field, lang, text, f"[{i}].{field}"


def check_library_texts(library: Library) -> list[Finding]:
    """Every argument and reference text with template code: compiles, uses only the context
    a library text receives; found at the library file and the line of that text."""
    from kamdocs.render.context import TextContext  # noqa: PLC0415
    from kamdocs.templating import environment, library_text_name  # noqa: PLC0415

    env = environment()
    top = declared(TextContext)
    findings = []
    for owner, field, lang, text, where in _library_texts(library):
        if "{" not in text:
            continue
        origin = library.origins.get(owner)
        if origin is None:
            continue
        at = (field,) if lang == ANY_LANGUAGE else (field, lang)
        line = origin.line_of(*at)
        label = where if lang == ANY_LANGUAGE else f"{where}.{lang}"
        name = library_text_name(library, owner)
        findings.extend(check_source(env, text, name, top, origin.path, line, label))
    return findings


_MARK = re.compile(r"\{:\s*([^}\n]*)\}")
_COMPUTED_CLASS = re.compile(r"\.\{\{(.*)")
_LITERAL = re.compile(r"[\"']([A-Za-z_][\w-]*)[\"']")
_CSS_PRELUDE = re.compile(r"([^{};]*)\{")
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
_CSS_CLASS = re.compile(r"\.(-?[_a-zA-Z][\w-]*)")


def classes_used(source: str) -> Iterator[tuple[str, int]]:
    """Each class of a ``{: .x }`` mark in ``source``, with its line. A class the template
    computes (``{: .{{ "a" if x else "b" }} }``) counts as each text it may be."""
    for match in _MARK.finditer(source):
        line = source.count("\n", 0, match.start()) + 1
        content = match.group(1)
        computed = _COMPUTED_CLASS.search(content)
        if computed:
            for literal in _LITERAL.findall(computed.group(1)):
                yield literal, line
            content = content[: computed.start()]
        for token in content.split():
            if token.startswith(".") and len(token) > 1:
                yield token[1:], line


def css_classes(css: str) -> set[str]:
    """The classes the selectors of a stylesheet name."""
    text = _CSS_COMMENT.sub("", css)
    # What stands before each "{" is a selector (or an at-rule, such as @media, around some).
    return {cls for prelude in _CSS_PRELUDE.findall(text) for cls in _CSS_CLASS.findall(prelude)}


def docx_styles(path: Path) -> tuple[dict[str, set[str]], str | None]:
    """The style names of a reference document by kind (casefolded), or why it cannot be read."""
    from lxml import etree  # noqa: PLC0415 - python-docx's dependency

    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    try:
        with zipfile.ZipFile(path) as archive:
            data = archive.read("word/styles.xml")
    except FileNotFoundError:
        return {}, "the reference document is missing"
    except (OSError, zipfile.BadZipFile) as exc:
        return {}, f"not a Word document: {exc}"
    except KeyError:
        return {}, "not a usable reference document (no word/styles.xml)"
    try:
        tree = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as exc:
        return {}, f"not a usable reference document (styles.xml: {exc})"
    names: dict[str, set[str]] = {}
    for style in tree.iterchildren(w + "style"):
        name = style.find(w + "name")
        if name is not None and name.get(w + "val"):
            kind = style.get(w + "type", "paragraph")
            names.setdefault(kind, set()).add(name.get(w + "val").casefold())
    return names, None


def style_name(cls: str) -> str:
    """The paragraph style a class picks: ``table-text`` -> "Table Text"."""
    return " ".join(part.capitalize() for part in cls.split("-") if part)


def check_styles(root: Path, library: Library | None) -> list[Finding]:
    """Classes against proposal.css and reference.docx; the writer's styles; both files usable."""
    from kamdocs.render.docx import PAGE_BREAK, WRITER_STYLES  # noqa: PLC0415

    findings: list[Finding] = []
    css_path, docx_path = root / STYLESHEET, root / REFERENCE_DOCX
    css_text = None
    if css_path.is_symlink() or css_path.exists():
        if not css_path.resolve().is_relative_to(root.resolve()):
            findings.append(
                Finding(
                    str(css_path),
                    1,
                    "",
                    "links to a file outside the templates folder; copy the stylesheet in instead",
                    code="stylesheet",
                )  # fmt: skip
            )
        else:
            css_text = _read(css_path)
            if css_text is None:
                findings.append(
                    Finding(str(css_path), 1, "", "cannot be read as UTF-8 text", code="stylesheet")
                )
    css = css_classes(css_text) if css_text is not None else set()
    styles: dict[str, set[str]] = {}
    docx_usable = False
    if docx_path.is_symlink() and not docx_path.resolve().is_relative_to(root.resolve()):
        findings.append(
            Finding(
                str(docx_path),
                0,
                "",
                "links to a file outside the templates folder; copy the document in instead",
                code="reference-docx",
            )  # fmt: skip
        )
    else:
        styles, why = docx_styles(docx_path)
        if why:
            findings.append(Finding(str(docx_path), 0, "", why, code="reference-docx"))
        docx_usable = why is None
    paragraph = styles.get("paragraph", set())
    if docx_usable:
        for kind, name in WRITER_STYLES:
            if name.casefold() not in styles.get(kind, set()):
                what = "" if kind == "paragraph" else f" ({kind} style)"
                findings.append(
                    Finding(
                        str(docx_path), 0, "", f"missing style '{name}'{what}", code="missing-style"
                    )  # fmt: skip
                )
    known = css | {s.replace(" ", "-") for s in paragraph}
    for path, line, cls in _class_uses(root, library):
        in_css = cls in css
        # The writer makes a page break of its class itself, no style needed.
        in_docx = cls == PAGE_BREAK or cls.replace("-", " ").casefold() in paragraph
        if not in_css and not in_docx and (css_text is not None or docx_usable):
            meant = closest(cls, known)
            hint = f"; did you mean '{meant}'?" if meant else ""
            findings.append(
                Finding(
                    path,
                    line,
                    "",
                    f"unknown class '{cls}' (no rule in {STYLESHEET}, no "
                    f"style '{style_name(cls)}' in {REFERENCE_DOCX}){hint}",
                    code="unknown-class",
                )  # fmt: skip
            )
        elif not in_css and css_text is not None:
            findings.append(
                Finding(
                    path, line, "", f"class '{cls}' has no rule in {css_path}", code="class-css"
                )  # fmt: skip
            )
        elif not in_docx and docx_usable:
            findings.append(
                Finding(
                    str(docx_path),
                    0,
                    "",
                    f"missing style '{style_name(cls)}' (for {{: .{cls} }} at {path}:{line})",
                    code="missing-style",
                )  # fmt: skip
            )
    return findings


def _class_uses(root: Path, library: Library | None) -> Iterator[tuple[str, int, str]]:
    for path in sorted(root.rglob("*.j2")):
        source = _read(path)
        if source is not None:
            for cls, line in classes_used(source):
                yield str(path), line, cls
    if library is None:
        return
    for owner, field, lang, text, _ in _library_texts(library):
        origin = library.origins.get(owner)
        if origin is None or "{:" not in text:
            continue
        at = (field,) if lang == ANY_LANGUAGE else (field, lang)
        for cls, line in classes_used(text):
            yield origin.path, origin.line_of(*at) + line - 1, cls


def check_languages(library: Library, languages: set[str]) -> list[Problem]:
    """Every language in use has every text (a fallback to another language is a warning):
    the library texts as ``validate`` checks them for each dossier's language, and the
    personas' labels (the sections' headings).

    A language with no wording at all is the dossier's error already (``client.locale``).
    """
    from kamdocs.dossier import missing_texts  # noqa: PLC0415

    findings: list[Problem] = []
    languages = {
        lang for lang in languages
        if lang in library.locales or lang.split("_")[0].split("-")[0] in library.locales
    }  # fmt: skip
    origins = _persona_origins(library)
    for lang in sorted(languages):
        findings.extend(missing_texts(library, lang))
        base = lang.split("_")[0].split("-")[0]
        for name, origin in origins.items():
            label = library.personas[name].label
            if ANY_LANGUAGE in label or lang in label or base in label:
                continue
            findings.append(
                Finding(
                    origin.path,
                    origin.line_of("label"),
                    f"{name}.label",
                    f"persona '{name}' has no '{lang}' label; a '{lang}' proposal prints "
                    f"the '{pick_key(label, lang)}' one as the heading",
                    level="warning",
                    code="missing-text",
                )
            )
    return findings


def _persona_origins(library: Library) -> dict[str, Origin]:
    """Where each persona is written in personas.yaml (the library keeps no lines for them)."""
    from kamdocs import yamlsrc  # noqa: PLC0415

    path = library.root / "personas.yaml"
    try:
        source = yamlsrc.load(path, str(path))
    except InputError:
        return {}
    return {
        name: Origin(
            str(path),
            source.line((name,)),
            {k[1:]: v for k, v in source.lines.items() if len(k) > 1 and k[0] == name},
        )
        for name in library.personas
    }


def check_coverage(library: Library, personas_path: str) -> list[Finding]:
    """Every kind a persona weighs has an argument; every argument a persona that weighs it."""
    from kamdocs import yamlsrc  # noqa: PLC0415

    findings: list[Finding] = []
    try:
        source: Any = yamlsrc.load(Path(personas_path), personas_path)
    except InputError:
        source = None  # the library loaded it a moment ago; lines are only a help
    kinds = {arg.kind for arg in library.arguments.values()}
    weighed: set[str] = set()
    for name, persona in library.personas.items():
        for kind, weight in persona.kinds.items():
            if weight <= 0:
                continue
            weighed.add(kind)
            if kind not in kinds:
                line = source.line((name, "kinds", kind)) if source else 1
                findings.append(
                    Finding(
                        personas_path,
                        line,
                        f"{name}.kinds.{kind}",
                        "no argument has this kind; the readers of this persona get none of it",
                        level="warning",
                        code="kind-without-argument",
                    )  # fmt: skip
                )
    for arg_id, arg in library.arguments.items():
        if arg.kind not in weighed and arg.kind in KINDS:
            origin = library.origins[arg_id]
            findings.append(
                Finding(
                    origin.path,
                    origin.line_of("kind"),
                    f"[{arg_id}].kind",
                    f"no persona "
                    f"weighs '{arg.kind}'; the argument is chosen only when a dossier pins "
                    "it",
                    level="warning",
                    code="argument-not-weighed",
                )  # fmt: skip
            )
    return findings


# --- all of it -----------------------------------------------------------------------------------


@dataclass
class Report:
    """What ``templates check`` found: every finding, errors and warnings, in the order shown."""

    findings: list[Problem]
    templates: Path
    dossiers: int = 0

    @property
    def errors(self) -> list[Problem]:
        return split(self.findings)[0]

    @property
    def warnings(self) -> list[Problem]:
        return split(self.findings)[1]


def check(
    workspace: Any,
    paths: list[Path] | None = None,
    date: dt.date | None = None,
    strict: bool = False,
    render: bool = True,
    library: Library | None = None,
) -> Report:
    """Every check of the templates folder; then every dossier rendered in every format.

    ``strict`` makes warnings errors. ``library``: an already loaded one (else it is loaded here;
    its problems are findings).
    """
    from kamdocs.errors import sort_problems  # noqa: PLC0415

    root = Path(workspace.templates)
    findings: list[Problem] = []
    if not root.is_dir():
        return Report(
            [Finding(str(root), 1, "", "templates folder not found", code="missing-folder")], root
        )
    if library is None:
        try:
            library = load_library(root)
        except InputError as exc:
            findings.extend(exc.problems)
    findings.extend(check_templates(root, library))
    findings.extend(check_styles(root, library))
    loaded: list[Any] = []
    if library is not None:
        from kamdocs.app import _settings_problems  # noqa: PLC0415

        findings.extend(_settings_problems(workspace, library))  # and the library's warnings
        findings.extend(check_library_texts(library))
        findings.extend(check_coverage(library, str(root / "personas.yaml")))
        dossier_problems, loaded = _dossiers(workspace, library, paths, date)
        findings.extend(dossier_problems)
        languages = {workspace.locale, *(item.lang for item in loaded)}
        findings.extend(check_languages(library, languages))
        if render and not split(findings)[0]:
            findings.extend(_render_all(workspace, library, loaded))
    if strict:
        findings = [p.as_error() for p in findings]
    return Report(sort_problems(findings), root, len(loaded))


def _dossiers(
    workspace: Any, library: Library, paths: list[Path] | None, date: dt.date | None
) -> tuple[list[Problem], list[Any]]:
    from kamdocs.dossier import load_dossier  # noqa: PLC0415
    from kamdocs.workspace import build_date, dossier_files  # noqa: PLC0415

    problems: list[Problem] = []
    loaded = []
    today = build_date(date)
    folder = Path(workspace.dossiers)
    files = dossier_files(paths or ([folder] if folder.is_dir() else []))
    for path in files:
        try:
            loaded.append(
                load_dossier(path, library, today, workspace.valid_days, workspace.locale)
            )
        except InputError as exc:
            problems.extend(exc.problems)
    return problems, loaded


def _render_all(workspace: Any, library: Library, loaded: list[Any]) -> list[Problem]:
    """Every dossier in every format, in memory: anything undefined is a located problem."""
    from kamdocs.render.pipeline import render  # noqa: PLC0415

    problems: list[Problem] = []
    for item in loaded:
        if item.lang not in library.locales:
            continue  # no wording for its language: an error reported already
        try:
            render(item, library, FORMATS, Path(workspace.templates))
        except InputError as exc:
            problems.extend(
                p
                if isinstance(p, Finding)
                else Finding(
                    p.path, p.line, p.field, p.message, p.level, code="render"
                )  # fmt: skip
                for p in exc.problems
            )
    return problems
