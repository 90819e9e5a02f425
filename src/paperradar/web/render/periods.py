"""Daily-list periods: a day ``YYYY-MM-DD``, an ISO week ``YYYY-Www`` or a month ``YYYY-MM``,
with their date ranges, labels and neighbours."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$", re.ASCII)
_MONTH = re.compile(r"^(\d{4})-(\d{2})$", re.ASCII)
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)


MIN_YEAR, MAX_YEAR = 1000, 9000  # keeps neighbours and week ends inside date's range


class BadPeriod(ValueError):
    """A malformed or impossible date, week or month."""


def _check_year(year: int, text: str) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise BadPeriod(f"year out of range ({MIN_YEAR}-{MAX_YEAR}): {text[:40]!r}")


@dataclass(frozen=True, slots=True)
class Period:
    kind: str  # "date" | "week" | "month"
    key: str  # as in the URL
    start: date
    end: date  # inclusive

    @property
    def label(self) -> str:
        if self.kind == "date":
            return self.start.strftime("%A, %-d %B %Y")
        if self.kind == "week":
            return f"Week {self.start.isocalendar().week} of {self.start.isocalendar().year} " \
                   f"({self.start:%-d %b} – {self.end:%-d %b %Y})"
        return self.start.strftime("%B %Y")

    @property
    def url(self) -> str:
        return f"/papers/{self.kind}/{self.key}"


def parse_day(text: str) -> Period:
    if not _DAY.match(text or ""):
        raise BadPeriod(f"expected a date YYYY-MM-DD, got {text[:40]!r}")
    _check_year(int(text[:4]), text)
    try:
        d = date.fromisoformat(text)
    except ValueError as exc:
        raise BadPeriod(f"not a valid date: {text[:40]!r}") from exc
    return Period("date", d.isoformat(), d, d)


def parse_week(text: str) -> Period:
    m = _WEEK.match(text or "")
    if not m:
        raise BadPeriod(f"expected a week YYYY-Www, got {text[:40]!r}")
    _check_year(int(m.group(1)), text)
    return _week(int(m.group(1)), int(m.group(2)), text)


def _week(year: int, week: int, text: str) -> Period:
    try:
        start = date.fromisocalendar(year, week, 1)
        end = start + timedelta(days=6)
    except (ValueError, OverflowError) as exc:
        raise BadPeriod(f"not a valid ISO week: {text[:40]!r}") from exc
    return Period("week", text, start, end)


def parse_month(text: str) -> Period:
    m = _MONTH.match(text or "")
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise BadPeriod(f"expected a month YYYY-MM, got {text[:40]!r}")
    _check_year(int(m.group(1)), text)
    return _month(int(m.group(1)), int(m.group(2)))


def _month(year: int, month: int) -> Period:
    start = date(year, month, 1)
    end = start.replace(day=calendar.monthrange(year, month)[1])
    return Period("month", f"{year:04d}-{month:02d}", start, end)


PARSERS = {"date": parse_day, "week": parse_week, "month": parse_month}


def week_of(d: date) -> Period:
    iso = d.isocalendar()
    return _week(iso.year, iso.week, f"{iso.year:04d}-W{iso.week:02d}")


def month_of(d: date) -> Period:
    return _month(d.year, d.month)


def neighbours(period: Period, before: str | None,
               after: str | None) -> tuple[Period | None, Period | None]:
    """Previous and next periods that have papers, given the nearest days with entries
    before and after the period (``store.daily_dates_around``)."""
    make = {"date": lambda d: Period("date", d.isoformat(), d, d), "week": week_of,
            "month": month_of}[period.kind]
    return (make(date.fromisoformat(before)) if before else None,
            make(date.fromisoformat(after)) if after else None)
