"""What every test starts from."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kamdocs import templating
from kamdocs.render import html as html_view


@pytest.fixture(autouse=True)
def _fresh_template_caches(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # One kamdocs process renders with one set of templates; the tests edit templates between
    # renders in one process, so each starts with no environment or stylesheet kept, and with
    # no build date from the environment.
    monkeypatch.setattr(templating, "_ENVIRONMENTS", {})
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    html_view._css.cache_clear()
    yield
    html_view._css.cache_clear()
