"""A calendar month: what the digest reports on, named and parsed as "YYYY-MM"."""

import re
from calendar import monthrange
from dataclasses import dataclass
from datetime import date

_TEXT = re.compile(r"(\d{4})-(\d{2})")


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    def __post_init__(self) -> None:
        # `date` accepts years 1 to 9999; checking here means `first` and `last` can never fail later.
        if not 1 <= self.year <= 9999:
            raise ValueError(f"year must be between 1 and 9999, got {self.year}")
        if not 1 <= self.month <= 12:
            raise ValueError(f"month must be between 1 and 12, got {self.month}")

    @classmethod
    def parse(cls, text: str) -> "Month":
        """ "2026-10" → Month(2026, 10); anything else (e.g. "2026-13", "2026-1") is a ValueError."""
        match = _TEXT.fullmatch(text.strip())
        year, month = (int(match[1]), int(match[2])) if match else (0, 0)
        if not (1 <= year <= 9999 and 1 <= month <= 12):
            raise ValueError(f"expected YYYY-MM, got {text!r}")
        return cls(year, month)

    @classmethod
    def containing(cls, day: date) -> "Month":
        return cls(day.year, day.month)

    @property
    def first(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last(self) -> date:
        return date(self.year, self.month, monthrange(self.year, self.month)[1])

    def previous(self) -> "Month":
        return Month(self.year - 1, 12) if self.month == 1 else Month(self.year, self.month - 1)

    def next(self) -> "Month":
        return Month(self.year + 1, 1) if self.month == 12 else Month(self.year, self.month + 1)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"
