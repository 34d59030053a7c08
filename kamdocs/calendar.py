"""Working days of the supplier's country: public holidays, weekends and the workspace's overrides.

Shared by ``followup`` (when to call, when to remind) and ``portfolio`` (which calls are
overdue). Public holidays come from the ``holidays`` package, which knows the moving feasts
(Orthodox Easter for Bulgaria) and the substitute days off that a country's law gives when a
holiday falls on a weekend; ``kamdocs.yaml``'s ``calendar`` adds the days off that decrees
announce late and the Saturdays that are worked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from kamdocs.errors import UsageError

_ONE_DAY = dt.timedelta(days=1)
_WEEKEND = (5, 6)  # Saturday, Sunday
# A count of working days past this many calendar days means the calendar has no working day.
_HORIZON = 3660


@lru_cache(maxsize=16)
def _country_holidays(country: str, year: int) -> frozenset[dt.date]:
    import holidays  # noqa: PLC0415 - imported only by the commands that plan dates

    try:
        found = holidays.country_holidays(country, years=year)
    except NotImplementedError:
        raise UsageError(
            f"supplier.country: no public holidays are known for '{country}'"
        ) from None
    return frozenset(found)


@dataclass(frozen=True)
class WorkingCalendar:
    """Which days are working days in ``country``, with the workspace's overrides."""

    country: str = "BG"
    days_off: frozenset[dt.date] = field(default_factory=frozenset)
    working_days: frozenset[dt.date] = field(default_factory=frozenset)

    @classmethod
    def of(
        cls, country: str, days_off: Iterable[dt.date] = (), working_days: Iterable[dt.date] = ()
    ) -> WorkingCalendar:
        return cls(country, frozenset(days_off), frozenset(working_days))

    def is_holiday(self, day: dt.date) -> bool:
        """A public holiday (or a substitute day off) of the country, or a ``days_off`` entry."""
        return day in self.days_off or day in _country_holidays(self.country, day.year)

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.working_days:
            return True
        return day.weekday() not in _WEEKEND and not self.is_holiday(day)

    def add(self, day: dt.date, count: int) -> dt.date:
        """The ``count``-th working day after ``day`` (before it, for a negative count);
        ``day`` itself is not counted. ``add(day, 0)`` is ``day``."""
        step = _ONE_DAY if count >= 0 else -_ONE_DAY
        left = abs(count)
        for _ in range(_HORIZON * max(1, left)):
            if not left:
                return day
            day += step
            if self.is_working_day(day):
                left -= 1
        raise UsageError(f"no working day found within {_HORIZON} days of {day.isoformat()}")

    def next_working_day(self, day: dt.date) -> dt.date:
        """The first working day after ``day``."""
        return self.add(day, 1)

    def on_or_before(self, day: dt.date) -> dt.date:
        """``day`` if it is a working day, else the working day before it."""
        return day if self.is_working_day(day) else self.add(day, -1)

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after ``start`` up to and including ``end`` (negative when end < start)."""
        if end < start:
            return -self.working_days_between(end, start)
        count, day = 0, start
        while day < end:
            day += _ONE_DAY
            count += self.is_working_day(day)
        return count


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day of the month ``months`` earlier (the month's last day where it is shorter)."""
    import calendar  # noqa: PLC0415

    total = day.year * 12 + (day.month - 1) - months
    year, month = divmod(total, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))
