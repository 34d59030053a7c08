"""`kamdocs validate` and `kamdocs schema`: what is checked, where, and how it is reported."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import Result
from helpers import ARGUMENTS, DOSSIER, PERSONAS, ROOT, build_file_tree, run, small_library
from processes import SEEDS, kamdocs

VALID = DOSSIER.lstrip("\n")
KINDS = (
    "'business_insight', 'benefit', 'uniqueness', 'exclusivity', 'reference', 'people', "
    "'statistic', 'financial', 'technical' or 'cooperation'"
)


def tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def assert_ok(result: Result, dossiers: int) -> None:
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    noun = "dossier" if dossiers == 1 else "dossiers"
    assert result.stdout.startswith(
        f"OK: {dossiers} {noun}; library: 7 arguments, 4 personas, 2 references, languages: bg, en"
    ), result.stdout


def assert_problems(result: Result, expected: list[str]) -> None:
    """Exit 1, and stderr is exactly one ``PATH:LINE: …`` line per expected prefix, in order."""
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert len(lines) == len(expected), lines
    for line, prefix in zip(lines, expected, strict=True):
        assert re.match(r"^[^:]+:\d+: ", line), line
        assert line.startswith(prefix), (line, prefix)


def library(root: Path, arguments: str = ARGUMENTS, personas: str = PERSONAS) -> None:
    """Replace the arguments and personas of the small library in ``root``."""
    build_file_tree(
        root, {"templates/arguments/main.yaml": arguments, "templates/personas.yaml": personas}
    )


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A workspace with the small library and one valid dossier; the current folder."""
    small_library(tmp_path)
    build_file_tree(tmp_path, {"dossiers/acme.yaml": VALID})
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_valid_folder(ws: Path) -> None:
    assert_ok(run("validate", "dossiers"), 1)


def test_valid_file(ws: Path) -> None:
    assert_ok(run("validate", "dossiers/acme.yaml"), 1)


def test_several_paths(ws: Path) -> None:
    build_file_tree(ws, {"more/beta.yaml": VALID.replace("Acme Logistics AD", "Beta Trade")})
    assert_ok(run("validate", "dossiers", "more/beta.yaml"), 2)


def test_default_is_the_workspace_dossiers(ws: Path) -> None:
    assert_ok(run("validate"), 1)


def test_default_found_from_a_subfolder(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build_file_tree(ws, {"kamdocs.yaml": "locale: en\n", "notes/todo.txt": "call Ivan\n"})
    monkeypatch.chdir(ws / "notes")
    assert_ok(run("validate"), 1)


def test_files_starting_with_underscore_or_dot_are_not_dossiers(ws: Path) -> None:
    build_file_tree(
        ws,
        {
            "dossiers/_draft.yaml": "client: [not, finished\n",
            "dossiers/.acme.yaml.swp": b"\x00\xff",
            "dossiers/.hidden.yaml": "nope: 1\n",
            "dossiers/README.md": "# Dossiers\n",
        },
    )
    assert_ok(run("validate"), 1)
    assert_ok(run("validate", "dossiers"), 1)


def test_a_draft_named_explicitly_is_checked(ws: Path) -> None:
    build_file_tree(ws, {"dossiers/_draft.yaml": "client: {name: Draft}\nbudget: 1\n"})
    result = run("validate", "dossiers/_draft.yaml")
    assert result.exit_code == 1
    assert "dossiers/_draft.yaml:2: budget: unknown field" in result.stderr


def test_an_empty_folder_is_an_error(ws: Path) -> None:
    (ws / "dossiers" / "acme.yaml").unlink()
    result = run("validate")
    assert result.exit_code == 1, result.output
    assert result.stderr == (
        "dossiers: no dossier found (a dossier is a .yaml or .yml file whose name does not "
        "start with '_')\n"
    )


def test_validate_writes_nothing(ws: Path) -> None:
    before = tree(ws)
    assert_ok(run("validate"), 1)
    assert tree(ws) == before
    (ws / "dossiers" / "bad.yaml").write_text("client: {}\n", encoding="utf-8")
    before = tree(ws)
    assert run("validate").exit_code == 1
    assert tree(ws) == before
    assert not (ws / "build").exists()


def test_nonexistent_path_is_a_usage_error(ws: Path) -> None:
    result = run("validate", "dossiers/nope.yaml")
    assert result.exit_code == 2
    assert "nope.yaml" in result.stderr
    assert "Traceback" not in result.output


def test_unknown_option_is_a_usage_error(ws: Path) -> None:
    result = run("validate", "--stirct")
    assert result.exit_code == 2


# kamdocs.yaml


def test_settings_dossiers_folder(ws: Path) -> None:
    (ws / "dossiers" / "acme.yaml").rename(ws / "acme.yaml")
    build_file_tree(
        ws,
        {
            "kamdocs.yaml": "dossiers: clients\n",
            "clients/acme.yaml": VALID,
            "clients/beta.yaml": VALID.replace("Acme Logistics AD", "Beta"),
        },
    )
    assert_ok(run("validate"), 2)


def test_settings_locale_is_the_default_language(ws: Path) -> None:
    build_file_tree(ws, {"kamdocs.yaml": "locale: bg\n"})
    data = json.loads(run("explain", "dossiers/acme.yaml", "--json").stdout)
    assert data["locale"] == "bg"

    build_file_tree(ws, {"kamdocs.yaml": "locale: fr\n"})
    # Reported once, at kamdocs.yaml's line, not against every dossier.
    assert_problems(
        run("validate"),
        ["kamdocs.yaml:1: locale: no wording for the default language 'fr' (known: bg, en)"],
    )

    # A dossier's own locale wins over the workspace's.
    build_file_tree(
        ws,
        {
            "kamdocs.yaml": "locale: bg\n",
            "dossiers/acme.yaml": VALID.replace("  industry:", "  locale: en\n  industry:"),
        },
    )
    assert_ok(run("validate"), 1)
    assert json.loads(run("explain", "dossiers/acme.yaml", "--json").stdout)["locale"] == "en"


def test_settings_valid_days(ws: Path) -> None:
    build_file_tree(
        ws,
        {
            "kamdocs.yaml": "valid_days: 45\n",
            "dossiers/acme.yaml": VALID.replace("  valid_days: 30\n", ""),
        },
    )
    assert_ok(run("validate"), 1)
    data = json.loads(run("explain", "dossiers/acme.yaml", "--json").stdout)
    assert (data["issued"], data["valid_until"]) == ("2026-11-26", "2027-01-10")

    # The dossier's own valid_days wins.
    build_file_tree(ws, {"dossiers/acme.yaml": VALID})
    data = json.loads(run("explain", "dossiers/acme.yaml", "--json").stdout)
    assert data["valid_until"] == "2026-12-26"


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ("dossier: clients\n", "kamdocs.yaml:1: dossier: unknown field; did you mean 'dossiers'?"),
        (
            "locale: en\nvalid_days: 0\n",
            "kamdocs.yaml:2: valid_days: must be greater than or equal to 1",
        ),
        (
            "formats: [md, odt]\n",
            "kamdocs.yaml:1: formats[1]: must be 'md', 'docx', 'html' or 'pdf'",
        ),
        ("locale: en\nlocale: bg\n", "kamdocs.yaml:2: locale: key written twice (first on line 1)"),
        ("- dossiers\n", "kamdocs.yaml:1: must be a mapping of settings"),
        ("out: [build\n", "kamdocs.yaml:2: YAML syntax error"),
    ],
)
def test_bad_settings(ws: Path, settings: str, expected: str) -> None:
    build_file_tree(ws, {"kamdocs.yaml": settings})
    assert_problems(run("validate"), [expected])


def test_empty_settings_file_means_defaults(ws: Path) -> None:
    build_file_tree(ws, {"kamdocs.yaml": "# all defaults\n"})
    assert_ok(run("validate"), 1)


# The library


def test_duplicate_argument_id_across_files(ws: Path) -> None:
    build_file_tree(
        ws,
        {
            "templates/arguments/extra.yaml": """
        - id: fresh
          kind: benefit
          title: Fresh
          text: New.
        - id: tco
          kind: financial
          title: Also lower cost
          text: Again.
    """
        },
    )
    # main.yaml is read after extra.yaml, so its tco (line 1) is the second one.
    assert_problems(
        run("validate"),
        [
            "templates/arguments/main.yaml:1: id: argument id 'tco' is already used "
            "(templates/arguments/extra.yaml:5)",
        ],
    )


def test_unknown_argument_kind(ws: Path) -> None:
    library(ws, arguments=ARGUMENTS.replace("kind: exclusivity", "kind: gossip"))
    assert_problems(
        run("validate"), [f"templates/arguments/main.yaml:17: [2].kind: must be {KINDS}"]
    )


def test_persona_with_unknown_kind(ws: Path) -> None:
    library(ws, personas=PERSONAS.replace("statistic: 2}", "rumours: 2}"))
    assert_problems(
        run("validate"),
        [
            f"templates/personas.yaml:12: technical.kinds.rumours: must be {KINDS}",
        ],
    )


def test_argument_text_with_a_jinja_syntax_error(ws: Path) -> None:
    library(ws, arguments=ARGUMENTS.replace("{{ client.industry }}", "{{ client.industry }"))
    assert_problems(
        run("validate"),
        [
            "templates/arguments/main.yaml:24: [insight].text.en: template syntax error: "
            "unexpected '}'",
        ],
    )


def test_argument_title_with_an_unclosed_block(ws: Path) -> None:
    library(
        ws,
        arguments=ARGUMENTS.replace(
            'title: {en: "Open API"', 'title: {en: "Open {% if client.name %}API"'
        ),
    )
    result = run("validate")
    assert_problems(
        result, ["templates/arguments/main.yaml:37: [api].title.en: template syntax error"]
    )


def test_several_library_problems_at_once(ws: Path) -> None:
    library(
        ws,
        arguments=ARGUMENTS.replace("kind: exclusivity", "kind: gossip"),
        personas=PERSONAS.replace("statistic: 2}", "rumours: 2}"),
    )
    assert_problems(
        run("validate"),
        [
            "templates/arguments/main.yaml:17: [2].kind: ",
            "templates/personas.yaml:12: technical.kinds.rumours: ",
        ],
    )


def test_dossier_against_a_library_without_the_persona(ws: Path) -> None:
    library(ws, personas=PERSONAS.split("finance:")[0])
    assert_problems(
        run("validate"),
        [
            "dossiers/acme.yaml:20: dmu[1].persona: unknown persona 'finance' "
            "(known: executive, hr)",
        ],
    )


def test_missing_templates_folder(ws: Path) -> None:
    result = run("validate", "--templates", "elsewhere")
    assert result.exit_code == 1
    assert result.stderr.startswith("elsewhere:1: templates folder not found")


# kamdocs schema


def test_schema_is_json_with_the_dossier_fields() -> None:
    result = run("schema")
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert {"client", "relationship", "dmu", "offer", "team"} <= set(schema["properties"])
    assert {"client", "relationship", "dmu", "offer", "team"} <= set(schema["required"])
    assert schema["additionalProperties"] is False
    assert schema["patternProperties"] == {"^x-": {}}
    member = schema["$defs"]["Member"]
    assert {"name", "position", "persona", "private"} <= set(member["properties"])
    assert member["patternProperties"] == {"^x-": {}}


def test_schema_is_stable(tmp_path: Path) -> None:
    # The same text in this process and in others, whatever their hash seed.
    here = run("schema").stdout.encode("utf-8")
    assert {kamdocs("schema", cwd=tmp_path, seed=seed) for seed in SEEDS} == {here}


# The sample dossiers of the project


def test_the_project_samples_validate(monkeypatch: pytest.MonkeyPatch) -> None:
    # The samples and the library ship with the project: missing, they are a failure.
    assert sorted((ROOT / "dossiers").glob("*.yaml")), "no sample dossiers in dossiers/"
    assert sorted((ROOT / "templates" / "arguments").glob("*.yaml")), "no argument library"
    monkeypatch.chdir(ROOT)
    result = run("validate")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("OK: ")
