"""kamdocs.yamlsrc: YAML to plain data with the line of every key and item, exact numbers."""

from __future__ import annotations

import datetime as dt
import re
import textwrap
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from kamdocs import yamlsrc
from kamdocs.errors import InputError, Problem


def parse(text: str | bytes, **kwargs: Any) -> yamlsrc.Source:
    if isinstance(text, str):
        text = textwrap.dedent(text).lstrip("\n")
    return yamlsrc.parse(text, "f.yaml", **kwargs)


def value(scalar: str) -> Any:
    return parse(f"v: {scalar}\n").data["v"]


def problems(text: str | bytes) -> list[str]:
    with pytest.raises(InputError) as caught:
        parse(text)
    return [str(p) for p in caught.value.problems]


# Lines


def test_lines_of_keys_and_items() -> None:
    source = parse("""
        client:
          name: Acme

          tags: [a, b]
        dmu:
          - name: Ivan
            hobbies:
              - sailing
              - chess
          -
            name: Elena
    """)
    assert source.data == {
        "client": {"name": "Acme", "tags": ["a", "b"]},
        "dmu": [{"name": "Ivan", "hobbies": ["sailing", "chess"]}, {"name": "Elena"}],
    }
    assert source.lines[()] == 1
    assert source.lines[("client",)] == 1
    assert source.lines[("client", "name")] == 2
    assert source.lines[("client", "tags")] == 4
    assert source.lines[("client", "tags", 0)] == 4
    assert source.lines[("client", "tags", 1)] == 4
    assert source.lines[("dmu",)] == 5
    assert source.lines[("dmu", 0)] == 6
    assert source.lines[("dmu", 0, "name")] == 6
    assert source.lines[("dmu", 0, "hobbies")] == 7
    assert source.lines[("dmu", 0, "hobbies", 0)] == 8
    assert source.lines[("dmu", 0, "hobbies", 1)] == 9
    assert source.lines[("dmu", 1)] == 11  # the item starts at its first value, not the dash
    assert source.lines[("dmu", 1, "name")] == 11


def test_a_key_line_is_the_key_not_its_value() -> None:
    source = parse("""
        summary:
          Spread over
          two lines
        items:

          - one
    """)
    assert source.data == {"summary": "Spread over two lines", "items": ["one"]}
    assert source.line(("summary",)) == 1
    assert source.line(("items",)) == 4
    assert source.line(("items", 0)) == 6


def test_line_falls_back_to_the_nearest_ancestor() -> None:
    source = parse("""
        offer:
          title: X
          pricing:
            currency: EUR
    """)
    assert source.line(("offer", "pricing", "items", 0, "unit_price")) == 3
    assert source.line(("offer", "valid_days")) == 1
    assert source.line(("team",)) == 1
    assert source.line(()) == 1


def test_problem_names_file_line_and_field() -> None:
    source = parse("dmu:\n  - name: Ivan\n    persona: ceo\n")
    problem = source.problem(("dmu", 0, "persona"), "unknown persona 'ceo'")
    assert problem == Problem("f.yaml", 3, "dmu[0].persona", "unknown persona 'ceo'")
    assert str(problem) == "f.yaml:3: dmu[0].persona: unknown persona 'ceo'"
    assert str(source.problem((), "empty")) == "f.yaml:1: empty"


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ((), ""),
        (("client",), "client"),
        (("dmu", 0, "persona"), "dmu[0].persona"),
        (("offer", "pricing", "items", 12, "unit_price"), "offer.pricing.items[12].unit_price"),
        ((3, "kind"), "[3].kind"),
        (("a", 0, 1), "a[0][1]"),
    ],
)
def test_format_path(path: yamlsrc.FieldPath, text: str) -> None:
    assert yamlsrc.format_path(path) == text


def test_crlf_line_ends_count_once() -> None:
    source = parse(b"a: 1\r\nb:\r\n  - x\r\n  - y\r\n")
    assert source.data == {"a": 1, "b": ["x", "y"]}
    assert source.lines[("b", 1)] == 4


# Scalars


@pytest.mark.parametrize(
    ("scalar", "expected"),
    [
        ("0.1", Decimal("0.1")),
        ("1249.90", Decimal("1249.90")),
        ("+12.50", Decimal("12.50")),
        ("-0.1", Decimal("-0.1")),
        ("3.", Decimal("3")),
        ("1_000.5", Decimal("1000.5")),
        ("1.5e+3", Decimal("1500")),
        ("2.5E-2", Decimal("0.025")),
    ],
)
def test_floats_are_exact_decimals(scalar: str, expected: Decimal) -> None:
    result = value(scalar)
    assert isinstance(result, Decimal) and not isinstance(result, float)
    assert result == expected
    assert result.yaml_text == scalar  # a text field keeps what was written


def test_one_tenth_is_one_tenth() -> None:
    tenth = value("0.1")
    assert tenth == Decimal("0.1")
    assert tenth * 3 == Decimal("0.3")  # 0.1 * 3 != 0.3 in binary floating point
    assert sum([tenth] * 10) == 1


@pytest.mark.parametrize("scalar", ["1e3", "1.0e3", "12e03"])
def test_exponents_without_a_dot_and_sign_are_text_in_yaml_1_1(scalar: str) -> None:
    # PyYAML resolves YAML 1.1, whose floats need a dot and a signed exponent. The text is kept
    # as written, and a decimal field still reads it exactly (see test_dossier_errors).
    assert value(scalar) == scalar
    assert Decimal(value(scalar)) == Decimal(scalar)


@pytest.mark.parametrize("scalar", [".inf", "-.Inf", ".NaN"])
def test_infinities_and_nan_are_not_numbers(scalar: str) -> None:
    assert value(scalar) == scalar


@pytest.mark.parametrize(
    ("scalar", "expected"),
    [
        ("0", 0),
        ("42", 42),
        ("-7", -7),
        ("+35921234567", 35921234567),
    ],
)
def test_ints(scalar: str, expected: int) -> None:
    result = value(scalar)
    assert isinstance(result, int) and not isinstance(result, bool)
    assert result == expected
    assert result.yaml_text == scalar  # a phone number keeps its plus sign in a text field


@pytest.mark.parametrize(
    "scalar",
    ["0700123456", "017", "-010", "0_7", "20:30", "1:02:03", "0x1F", "0xff", "0b101", "1_000"],
)
def test_yaml_1_1_octal_hex_and_base_60_stay_as_written(scalar: str) -> None:
    # YAML 1.1 would read a phone number 0700123456 as octal 117483310, 20:30 as 1230 and a name
    # 0x1F as 31; a number field refuses them (write a plain number).
    assert value(scalar) == scalar


@pytest.mark.parametrize(
    ("scalar", "expected"),
    [
        ("2026-11-26", dt.date(2026, 11, 26)),
        ("2026-11-26 10:30:00", dt.datetime(2026, 11, 26, 10, 30)),
        ("2026-11-26 00:00:00", dt.date(2026, 11, 26)),
        ("2026-11-26T10:30:00Z", dt.datetime(2026, 11, 26, 10, 30, tzinfo=dt.UTC)),
        (
            "2026-11-26t10:30:00+02:00",
            dt.datetime(2026, 11, 26, 10, 30, tzinfo=dt.timezone(dt.timedelta(hours=2))),
        ),
    ],
)
def test_timestamps(scalar: str, expected: dt.date) -> None:
    result = value(scalar)
    assert type(result) is type(expected)
    assert result == expected


def test_quoted_dates_and_numbers_stay_text() -> None:
    data = parse("""
        a: "2026-11-26"
        b: '0.1'
        c: "0x1F"
        d: "yes"
    """).data
    assert data == {"a": "2026-11-26", "b": "0.1", "c": "0x1F", "d": "yes"}


@pytest.mark.parametrize(
    ("scalar", "expected"),
    [
        ("true", True),
        ("True", True),
        ("yes", True),
        ("on", True),
        ("false", False),
        ("FALSE", False),
        ("no", False),
        ("Off", False),
    ],
)
def test_bools(scalar: str, expected: bool) -> None:
    assert value(scalar) is expected


@pytest.mark.parametrize("scalar", ["", "~", "null", "Null", "NULL"])
def test_nulls(scalar: str) -> None:
    assert value(scalar) is None


def test_strings_and_keys_are_text() -> None:
    data = parse("""
        1: one
        true: two
        null: three
        2026-11-26: four
        name: Ivan Petrov
        empty: ""
        cyrillic: Балкан Транс
    """).data
    assert data == {
        "1": "one",
        "true": "two",
        "null": "three",
        "2026-11-26": "four",
        "name": "Ivan Petrov",
        "empty": "",
        "cyrillic": "Балкан Транс",
    }


def test_aliases_are_expanded() -> None:
    data = parse("""
        base: &base [a, b]
        copy: *base
    """).data
    assert data == {"base": ["a", "b"], "copy": ["a", "b"]}


# Encoding


def test_byte_order_mark_is_stripped() -> None:
    source = parse(b"\xef\xbb\xbfclient:\n  name: Acme\n")
    assert source.data == {"client": {"name": "Acme"}}
    assert list(source.data) == ["client"]
    assert source.lines[("client", "name")] == 2


def test_utf8_text() -> None:
    assert parse("name: Балкан Транс ЕООД\n".encode()).data == {"name": "Балкан Транс ЕООД"}


def test_not_utf8_names_the_line_and_byte() -> None:
    assert problems(b"a: 1\nb: caf\xe9\n") == [
        "f.yaml:2: not UTF-8 text (byte 0xe9); save the file as UTF-8",
    ]


# What a dossier has no use for


def test_merge_key_is_rejected() -> None:
    assert problems("""
        base: &base {title: X}
        offer:
          <<: *base
          summary: Y
    """) == ["f.yaml:3: offer: merge keys (<<) are not supported; write the keys out"]


def test_undefined_alias() -> None:
    assert problems("a: 1\nb: *nowhere\n") == ["f.yaml:2: YAML error: found undefined alias"]


def test_duplicate_key() -> None:
    assert problems("a:\n  b: 1\n  c: 2\n  b: 3\n") == [
        "f.yaml:4: a.b: key written twice (first on line 2)",
    ]


def test_every_problem_of_the_file_at_once() -> None:
    assert problems("""
        a: 1
        a: 2
        b: !!python/name:os.system ''
        c: !!binary aGk=
        d: "bell\\x07"
    """) == [
        "f.yaml:2: a: key written twice (first on line 1)",
        "f.yaml:3: b: unsupported YAML tag !!python/name:os.system",
        "f.yaml:4: c: unsupported YAML tag !!binary",
        "f.yaml:5: d: contains the control character U+0007, which documents cannot hold; "
        "remove it",
    ]


@pytest.mark.parametrize(
    "tagged",
    [
        "!!python/object/apply:os.system [echo]",
        "!!python/object:collections.OrderedDict {}",
        "!!set {a, b}",
        "!!omap [a: 1]",
        "!local text",
    ],
)
def test_tags_are_rejected(tagged: str) -> None:
    [message] = problems(f"x: {tagged}\n")
    assert message.startswith("f.yaml:1: x: unsupported YAML tag !")


def test_raw_control_character() -> None:
    assert problems("a: 1\nb: x\x07y\n") == [
        "f.yaml:2: contains the character U+0007 (control characters are not allowed); remove it",
    ]


def test_raw_control_character_after_non_ascii_text() -> None:
    # libyaml reports a byte offset: the line must still be right after multi-byte characters.
    text = "a: Балкан Транс ЕООД\n" * 5 + "b: x\x01y\n"
    [message] = problems(text)
    assert message.startswith("f.yaml:6: contains the character U+0001")


def test_complex_keys_are_rejected() -> None:
    assert problems("? [a, b]\n: c\n") == [
        "f.yaml:1: a key must be a plain word, not a list or mapping"
    ]


def test_several_documents() -> None:
    assert problems("a: 1\n---\na: 2\n") == [
        "f.yaml:2: holds several YAML documents (a line with ---); keep one per file",
    ]


def test_one_document_with_markers_is_fine() -> None:
    assert parse("---\na: 1\n...\n").data == {"a": 1}


def test_syntax_error_keeps_yaml_line_and_column() -> None:
    assert problems("a: 1\nb: c: d\n") == [
        "f.yaml:2: YAML syntax error: mapping values are not allowed in this context (column 5)",
    ]


@pytest.mark.parametrize("text", ["", "\n\n", "# only\n# comments\n", "\ufeff"])
def test_empty_file(text: str) -> None:
    assert problems(text.encode()) == ["f.yaml:1: the file is empty"]
    assert parse(text.encode(), allow_empty=True).data is None


def test_alias_bomb_is_stopped() -> None:
    lines = ["x:", '  l0: &l0 ["lol"]']
    lines += [f"  l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]" for i in range(1, 10)]
    [message] = problems("\n".join(lines) + "\n")
    # l5 (line 7) is where the count passes 100,000: the line of the key using the aliases, not
    # of the anchor far above them.
    assert message == (
        "f.yaml:7: x.l5: too large: more than 100,000 values (are aliases expanding it?)"
    )


def test_alias_bomb_names_the_key_using_the_alias() -> None:
    text = "a: 1\nbig: &big [" + ", ".join(['"lol"'] * 500) + "]\n"
    text += "many:\n" + "".join(f"  k{i}: *big\n" for i in range(300))
    [message] = problems(text)
    assert message.startswith("f.yaml:")
    line = int(message.split(":")[1])
    assert text.splitlines()[line - 1].startswith("  k")  # the key where the count ran over
    assert re.search(r": many\.k\d+: too large: more than 100,000 values", message)


def test_deep_nesting_is_stopped() -> None:
    assert problems("a: 1\nx: " + "[" * 100 + "]" * 100 + "\n") == [
        "f.yaml:2: x: too large: nested deeper than 40 levels",
    ]


def test_nesting_up_to_the_limit_is_fine() -> None:
    data = parse("x: " + "[" * 39 + "1" + "]" * 39 + "\n").data
    depth = 0
    node = data["x"]
    while isinstance(node, list):
        node, depth = node[0], depth + 1
    assert (depth, node) == (39, 1)


# Files


def test_load_a_file(tmp_path: Path) -> None:
    path = tmp_path / "d.yaml"
    path.write_bytes(b"a: 0.1\n")
    source = yamlsrc.load(path, "dossiers/d.yaml")
    assert source.path == "dossiers/d.yaml"
    assert source.data == {"a": Decimal("0.1")}


def test_load_a_file_that_is_too_big(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(b"a: " + b"x" * yamlsrc.MAX_BYTES + b"\n")
    with pytest.raises(InputError) as caught:
        yamlsrc.load(path, "big.yaml")
    assert str(caught.value) == "big.yaml:1: larger than 1024 KiB; is this a dossier?"


def test_load_a_file_just_under_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(b"a: " + b"x" * (yamlsrc.MAX_BYTES - 4) + b"\n")
    assert len(yamlsrc.load(path).data["a"]) == yamlsrc.MAX_BYTES - 4


def test_load_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        yamlsrc.load(tmp_path / "nope.yaml", "nope.yaml")
    assert str(caught.value).startswith("nope.yaml:1: cannot read: ")


# --- the tags of scalars, resolved as PyYAML's safe loader resolves them --------------------------

_SCALAR_CHARS = "0123456789+-._:~<=!&*xXeEbBoO yYnNtTfFlLuUrsaA\tZ"


@settings(max_examples=400, deadline=None)
@given(
    value=st.one_of(
        st.text(alphabet=_SCALAR_CHARS, max_size=12),
        st.sampled_from(
            [
                "",
                "~",
                "null",
                "Null",
                "yes",
                "Off",
                ".inf",
                "-.NaN",
                "0x1F",
                "1_000",
                "0o17",
                "1:30",
                "2026-02-30",
                "2026-11-26 10:00:00+02:00",
                "<<",
                "=",
            ]
        ),
        st.text(max_size=8),
    ),
    implicit=st.tuples(st.booleans(), st.booleans()),
)
def test_a_scalar_tag_is_the_one_the_safe_loader_gives(
    value: str, implicit: tuple[bool, bool]
) -> None:
    # The loader's own resolve (kamdocs.yamlsrc._Loader) tries the same resolvers in the same
    # order; PyYAML's pure-Python safe loader is the reference.
    ours = yamlsrc._Loader("").resolve(yaml.ScalarNode, value, implicit)
    assert ours == yaml.SafeLoader("").resolve(yaml.ScalarNode, value, implicit)


def test_mappings_and_lists_keep_their_tags() -> None:
    node = yaml.compose("a: [1, x]\nb: {c: ~}\n", Loader=yamlsrc._Loader)
    assert node.tag == "tag:yaml.org,2002:map"
    assert [v.tag for _, v in node.value] == ["tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"]
    assert [item.tag.rsplit(":", 1)[1] for item in node.value[0][1].value] == ["int", "str"]
