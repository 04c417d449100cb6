"""Display names and value formats for configured identifiers (measures, bands, stages, segments).

A workspace's own names (`labels:` in its configuration, per language) win over the built-in ones;
identifiers are matched loosely, so a CRM's "Mid-Market" finds the label of `mid_market`.
"""

from collections.abc import Mapping

from bot.i18n import Translator
from domain.health.scoring import MeasureResult

# key → {language: display name}, as a workspace configures them.
DisplayNames = Mapping[str, Mapping[str, str]]


# Marked for the catalogue with N_ (a no-op) and translated when shown, so one table serves every language.
def N_(message: str) -> str:
    return message


MEASURE_LABELS = {
    "seat_utilisation": N_("Seat utilisation"),
    "login_frequency": N_("Login frequency"),
    "feature_breadth": N_("Feature breadth"),
    "value_points_on_time": N_("Value points on time"),
    "nps": N_("NPS"),
    "open_tickets": N_("Open support tickets"),
    "days_since_touch": N_("Last touch"),
    "customer_channel_quiet": N_("Customer channel"),
    "channel_reply_time": N_("Reply time in the customer channel"),
}
BAND_LABELS = {"red": N_("red"), "yellow": N_("yellow"), "green": N_("green"), "no_data": N_("no data")}
BAND_EMOJI = {"red": ":red_circle:", "yellow": ":large_yellow_circle:", "green": ":large_green_circle:"}
STAGE_LABELS = {
    "qualification": N_("qualification"),
    "onboarding": N_("onboarding"),
    "adoption": N_("adoption"),
    "renewal": N_("renewal"),
    "expansion": N_("expansion"),
}
SEGMENT_LABELS = {"enterprise": N_("Enterprise"), "mid_market": N_("Mid-market"), "smb": N_("SMB")}
REGION_LABELS = {
    "japan": N_("Japan"),
    "north_america": N_("North America"),
    "emea": N_("EMEA"),
    "apac": N_("APAC"),
}


def identifier(key: str) -> str:
    """ "Mid-Market", "mid market" and "mid_market" are one identifier."""
    return "_".join(key.casefold().replace("-", " ").split())


def _label(
    table: dict[str, str], key: str | None, tr: Translator, configured: DisplayNames | None = None
) -> str:
    if not key:
        return "—"
    wanted = identifier(key)
    for name, by_language in (configured or {}).items():
        if identifier(name) == wanted and by_language.get(tr.language):
            return by_language[tr.language]
    known = table.get(wanted)
    return tr.gettext(known) if known else key.replace("_", " ")


# The metrics of the shipped scorecard, by name: what a calibrated measure reading one is called.
METRIC_LABELS = {
    "active_users": N_("Active users"),
    "logins": N_("Logins"),
    "features_used": N_("Features used"),
    "nps": N_("NPS"),
    "open_tickets": N_("Open support tickets"),
    "touch": N_("Touches"),
    "channel_customer_messages": N_("Customer messages"),
    "channel_team_messages": N_("Team messages"),
    "channel_first_reply_minutes": N_("Minutes to first reply"),
    "channel_days_since_customer": N_("Days since the customer wrote"),
}
# How `csbot calibrate` names the measures it makes: metric + one of these (domain/calibration/features.py).
_DERIVED = (
    ("_average_30d_per_seat", N_("%(metric)s per seat, 30-day average")),
    ("_sum_30d_per_seat", N_("%(metric)s per seat, 30-day total")),
    ("_average_30d", N_("%(metric)s, 30-day average")),
    ("_sum_30d", N_("%(metric)s, 30-day total")),
    ("_latest", N_("%(metric)s, latest")),
    ("_days_since", N_("Days since the last %(metric)s")),
)


def measure_label(measure_id: str, tr: Translator) -> str:
    if measure_id not in MEASURE_LABELS:
        for suffix, pattern in _DERIVED:
            if measure_id.endswith(suffix):
                metric = measure_id.removesuffix(suffix)
                return tr.gettext(pattern, metric=_label(METRIC_LABELS, metric, tr))
    return _label(MEASURE_LABELS, measure_id, tr)


def band_label(band: str, tr: Translator) -> str:
    return _label(BAND_LABELS, band, tr)


def band_emoji(band: str) -> str:
    return BAND_EMOJI.get(band, ":white_circle:")


def stage_label(stage: str | None, tr: Translator) -> str:
    return _label(STAGE_LABELS, stage, tr)


def segment_label(segment: str | None, tr: Translator, configured: DisplayNames | None = None) -> str:
    return _label(SEGMENT_LABELS, segment, tr, configured)


def region_label(region: str | None, tr: Translator, configured: DisplayNames | None = None) -> str:
    return _label(REGION_LABELS, region, tr, configured)


def scorecard_label(
    name: str | None, tr: Translator, configured: DisplayNames | None, segments: DisplayNames | None
) -> str:
    """A scorecard's display name: configured, or "default" (標準) for the default one, or the name of the
    segment it is named after ("enterprise" → エンタープライズ)."""
    if name == "default" and not (configured or {}).get("default"):
        return tr.gettext(N_("default"))
    label = _label({}, name, tr, configured)
    if name and label == name.replace("_", " "):
        return segment_label(name, tr, segments)
    return label


def measure_value(measure: MeasureResult, tr: Translator) -> str:
    """The raw figure behind a measure's score, in the words a CSM would use."""
    value = measure.value
    if value is None:
        return tr.gettext("no data")
    match measure.id:
        case "seat_utilisation":
            return tr.gettext("%(percent)s of seats active", percent=tr.percent(value))
        case "value_points_on_time":
            return tr.gettext("%(percent)s on time", percent=tr.percent(value))
        case "login_frequency":
            return tr.gettext("%(count)s logins per seat in 30 days", count=tr.number(value, 1))
        case "feature_breadth":
            return tr.ngettext("%(num)s feature in use", "%(num)s features in use", round(value))
        case "open_tickets":
            return tr.ngettext("%(num)s open", "%(num)s open", round(value))
        case "days_since_touch":
            return tr.ngettext("%(num)s day ago", "%(num)s days ago", round(value))
        case "customer_channel_quiet":
            return tr.ngettext(
                "the customer last wrote %(num)s day ago",
                "the customer last wrote %(num)s days ago",
                round(value),
            )
        case "channel_reply_time":
            return tr.gettext("first reply after %(minutes)s min on average", minutes=tr.number(value, 0))
        case _:
            return tr.number(value, 1)
