"""Renewal reminder windows: which reminder, if any, a contract is due on a given day. Pure logic."""

from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class Countdown:
    """What a contract's reminders count down to."""

    target_date: date
    is_notice: bool  # True: the last day to give notice of an auto-renewing contract


def countdown(end_date: date, auto_renew: bool, notice_days: int | None) -> Countdown:
    """For an auto-renewing contract with a notice period the notice deadline is the date that
    matters: after it, the renewal happens whatever anyone decides."""
    if auto_renew and notice_days:
        return Countdown(end_date - timedelta(days=notice_days), True)
    return Countdown(end_date, False)


def current_window(windows_days: list[int], days_left: int) -> int | None:
    """The latest window already reached (the smallest one at or above `days_left`), or None.

    Windows are counted in whole days before the target date: with windows [120, 90, 60, 30, 7] a
    contract 45 days out is in its 60-day window. After downtime this gives the one window worth
    a catch-up reminder, never the stale larger ones.
    """
    if days_left < 0:
        return None
    reached = [w for w in windows_days if days_left <= w]
    return min(reached) if reached else None


def reminder_due(windows_days: list[int], days_left: int, recorded_windows: set[int]) -> int | None:
    """The window to remind for today, or None if nothing is due.

    Nothing is due when this window, or a later (smaller) one, was already recorded: re-running a
    sweep for an earlier day must not send an older window after a newer one went out.
    """
    window = current_window(windows_days, days_left)
    if window is None or any(recorded <= window for recorded in recorded_windows):
        return None
    return window
