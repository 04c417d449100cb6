"""The demo team: a bilingual CS organisation of eleven people with stable Slack user ids."""

from dataclasses import dataclass

from storage.models import Role

TOKYO = "Asia/Tokyo"
LOS_ANGELES = "America/Los_Angeles"
LONDON = "Europe/London"


@dataclass(frozen=True)
class DemoPerson:
    """One demo team member, with what a Slack user directory needs to know about them."""

    slack_user_id: str
    email: str
    name: str
    locale: str
    tz: str
    role: str
    manager_email: str | None = None


MANAGER_EMAIL = "mariko.nakamura@example.com"


def _person(number: int, email: str, name: str, role: Role, locale: str, tz: str) -> DemoPerson:
    manager = None if role is Role.MANAGER else MANAGER_EMAIL
    return DemoPerson(
        slack_user_id=f"U0DEMO{number:02d}",
        email=f"{email}@example.com",
        name=name,
        locale=locale,
        tz=tz,
        role=role.value,
        manager_email=manager,
    )


TEAM: tuple[DemoPerson, ...] = (
    _person(1, "emily.carter", "Emily Carter", Role.CSM, "en-US", LOS_ANGELES),
    _person(2, "misaki.sato", "佐藤 美咲", Role.CSM, "ja-JP", TOKYO),
    _person(3, "kenta.suzuki", "鈴木 健太", Role.CSM, "ja-JP", TOKYO),
    _person(4, "oliver.bennett", "Oliver Bennett", Role.CSM, "en-US", LONDON),
    _person(5, "sho.takahashi", "高橋 翔", Role.AE, "ja-JP", TOKYO),
    _person(6, "daniel.brooks", "Daniel Brooks", Role.AE, "en-US", LOS_ANGELES),
    _person(7, "sophie.turner", "Sophie Turner", Role.AE, "en-US", LONDON),
    _person(8, "aya.tanaka", "田中 彩", Role.AM, "ja-JP", TOKYO),
    _person(9, "michael.reed", "Michael Reed", Role.AM, "en-US", LOS_ANGELES),
    _person(10, "naoki.ito", "伊藤 直樹", Role.CS_OPS, "ja-JP", TOKYO),
    _person(11, "mariko.nakamura", "中村 真理子", Role.MANAGER, "ja-JP", TOKYO),
)

_BY_EMAIL = {person.email: person for person in TEAM}

# The guided tour is run as Emily, who owns Acme Corporation; Misaki shows the Japanese interface.
TOUR_CSM = _BY_EMAIL["emily.carter@example.com"]
JA_CSM = _BY_EMAIL["misaki.sato@example.com"]


def person(email: str) -> DemoPerson:
    return _BY_EMAIL[email]


# Who looks after which region: (CSMs, AEs, AMs), each list used round-robin by the generator.
REGION_OWNERS: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "japan": (
        ("misaki.sato@example.com", "kenta.suzuki@example.com"),
        ("sho.takahashi@example.com",),
        ("aya.tanaka@example.com",),
    ),
    "north_america": (
        ("emily.carter@example.com",),
        ("daniel.brooks@example.com",),
        ("michael.reed@example.com",),
    ),
    "emea": (
        ("oliver.bennett@example.com",),
        ("sophie.turner@example.com",),
        ("michael.reed@example.com",),
    ),
    "apac": (
        ("kenta.suzuki@example.com", "oliver.bennett@example.com"),
        ("sho.takahashi@example.com", "sophie.turner@example.com"),
        ("aya.tanaka@example.com",),
    ),
}


def team_rows() -> list[dict[str, str]]:
    """The team CSV rows, in the importer's canonical column names."""
    return [
        {
            "email": p.email,
            "name": p.name,
            "role": p.role,
            "slack_user_id": p.slack_user_id,
            "manager_email": p.manager_email or "",
            "timezone": p.tz,
            "locale": p.locale,
        }
        for p in TEAM
    ]
