"""Attributes a library text sets with ``{: ...}`` never reach the client's HTML: no handler, no
style, no URL but the links the text makes."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from helpers import ARGUMENTS, DOSSIER, build_file_tree, run

from kamdocs.render.markup import Converter

ATTACK = (
    'Click [here](https://supplier.example){: onclick="x" }\n'
    '{: onmouseover="alert(2)" style="background:url(https://tracker.example/p.gif)" }'
)


def body(text: str) -> ET.Element:
    return ET.fromstring(f"<div>{Converter().convert(text)[1]}</div>")


def attributes(root: ET.Element) -> list[tuple[str, str, str]]:
    return sorted((el.tag, k, v) for el in root.iter() for k, v in el.attrib.items())


def test_the_issues_text_keeps_only_its_link() -> None:
    root = body(ATTACK)
    assert attributes(root) == [("a", "href", "https://supplier.example")]
    assert root.find("p").text == "Click "


@pytest.mark.parametrize(
    "attribute",
    [
        'onclick="x"',
        'onload="x"',
        'style="background:url(https://t.example/p.gif)"',
        'style="text-align: left;"',  # even the value a table cell may carry
        'href="https://t.example"',  # a link where the text makes none
        'src="https://t.example/p.gif"',
        'srcset="https://t.example/p.gif 1x"',
        'background="https://t.example/p.gif"',
        'formaction="https://t.example"',
        'xmlns="http://www.w3.org/1999/xhtml"',
        'data-x="https://t.example"',
        'title="x"',
    ],
)
def test_no_attribute_but_class_and_id_from_a_text(attribute: str) -> None:
    root = body(f"# Heading\n{{: {attribute} }}\n\nA paragraph\n{{: {attribute} .kept #here }}")
    assert attributes(root) == [("p", "class", "kept"), ("p", "id", "here")]


def test_what_markdown_itself_writes_stays() -> None:
    root = body(
        '[a link](https://x.example "its title"){: .button }\n\n'
        "3. three\n4. four\n\n"
        "| a | b |\n|--:|:-:|\n| 1 | 2 |\n"
    )
    assert attributes(root) == [
        ("a", "class", "button"),
        ("a", "href", "https://x.example"),
        ("a", "title", "its title"),
        ("ol", "start", "3"),
        ("td", "style", "text-align: center;"),
        ("td", "style", "text-align: right;"),
        ("th", "style", "text-align: center;"),
        ("th", "style", "text-align: right;"),
    ]


def test_a_link_retargeted_to_an_unsafe_scheme_is_text() -> None:
    root = body('[x](https://a.example){: href="javascript:alert(1)" }')
    assert attributes(root) == []
    assert root.find("p/span").text == "x"


def test_the_page_has_no_url_but_the_links_of_the_text(ws: Path) -> None:
    build_file_tree(
        ws,
        {
            "templates/arguments/main.yaml": ARGUMENTS
            + """
- id: tracker
  kind: exclusivity
  title: {en: "Tracker", bg: "Тракер"}
  text:
    en: |-
"""
            + "".join(f"      {line}\n" for line in ATTACK.splitlines())
            + '    bg: "x"\n',
            "dossiers/acme.yaml": DOSSIER.replace(
                "  valid_days: 30\n", "  valid_days: 30\n  include: [tracker]\n"
            ),
        },
    )
    result = run("render", "dossiers/acme.yaml", "-f", "html,docx", "-o", "out")
    assert result.exit_code == 0, result.output
    page = (ws / "out/acme-logistics-ad.html").read_text("utf-8")
    assert "tracker.example" not in page
    assert not re.search(r"\son\w+=", page)
    styles = re.findall(r'style="([^"]*)"', page)
    assert set(styles) <= {"text-align: left;", "text-align: right;", "text-align: center;"}
    assert 'href="https://supplier.example"' in page
    urls = re.findall(r"https?://[^\s\"'<>)]+", page.split("</style>", 1)[1])
    assert set(urls) <= {"https://supplier.example", "mailto:maria@supplier.example"}, urls


def test_a_table_cell_keeps_only_the_alignment_markdown_writes() -> None:
    # A cell may carry style, but only "text-align: …;" as the tables extension writes it: a
    # text's own style takes the alignment's place, and then goes, alignment and all.
    root = body(
        '| a {: style="background:url(https://t.example/p.gif)" } | b |\n'
        "|:--|--:|\n"
        '| 1 {: style="color: red" } | 2 |\n'
    )
    assert attributes(root) == [
        ("td", "style", "text-align: right;"),
        ("th", "style", "text-align: right;"),
    ]


def test_an_attribute_after_a_class_goes_too() -> None:
    root = body('A paragraph\n{: .kept onclick="x" #here style="color: red" }')
    assert attributes(root) == [("p", "class", "kept"), ("p", "id", "here")]
