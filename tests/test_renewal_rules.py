"""Pure rules: which reminder window is due, and who owns a renewal or an expansion under each model."""

from datetime import date

import pytest

from domain.ownership import AccountOwners, OwnershipConfig, expansion_owner, renewal_owner
from domain.policy import RisksConfig
from domain.renewals import countdown, current_window, reminder_due
from domain.risk_sweep import risk_reasons

WINDOWS = [120, 90, 60, 30, 7]


@pytest.mark.parametrize(
    ("days_left", "window"),
    [(121, None), (120, 120), (100, 120), (90, 90), (45, 60), (8, 30), (7, 7), (0, 7), (-1, None)],
)
def test_the_current_window_is_the_latest_one_reached(days_left: int, window: int | None) -> None:
    assert current_window(WINDOWS, days_left) == window


def test_after_downtime_only_the_latest_window_is_due_and_never_an_older_one_again() -> None:
    assert reminder_due(WINDOWS, 20, set()) == 30  # 120, 90 and 60 passed unseen: one catch-up, for 30
    assert reminder_due(WINDOWS, 20, {30}) is None
    assert reminder_due(WINDOWS, 5, {30}) == 7
    assert reminder_due(WINDOWS, 100, {30}) is None  # a re-run for an earlier day sends nothing older


def test_auto_renewing_contracts_count_down_to_the_notice_deadline() -> None:
    assert countdown(date(2027, 3, 31), True, 60).target_date == date(2027, 1, 30)
    assert countdown(date(2027, 3, 31), True, 60).is_notice
    assert countdown(date(2027, 3, 31), False, 60).target_date == date(2027, 3, 31)
    assert countdown(date(2027, 3, 31), True, None).target_date == date(2027, 3, 31)


FULL = AccountOwners(arr=50_000, csm_email="csm@x", ae_email="ae@x", am_email="am@x")


@pytest.mark.parametrize(
    ("model", "renewal", "expansion"),
    [
        ("high_touch_startup", "ae@x", "ae@x"),
        ("low_touch_startup", "ae@x", "ae@x"),
        ("high_touch_growth", "ae@x", "ae@x"),
        ("low_touch_growth", "csm@x", "ae@x"),
        ("technical_buyer", "ae@x", "ae@x"),
        ("plg", "csm@x", "ae@x"),
    ],
)
def test_each_model_sets_default_owners(model: str, renewal: str, expansion: str) -> None:
    config = OwnershipConfig(model=model)  # type: ignore[arg-type]
    assert renewal_owner(config, FULL).email == renewal
    assert expansion_owner(config, FULL).email == expansion


def test_large_accounts_renew_with_the_ae_even_under_a_csm_model() -> None:
    config = OwnershipConfig(model="low_touch_growth", large_account_arr=150_000)
    large = AccountOwners(arr=150_000, csm_email="csm@x", ae_email="ae@x", am_email=None)
    decision = renewal_owner(config, large)
    assert (decision.email, decision.rule) == ("ae@x", "large_account")


def test_accounts_without_expansion_potential_go_to_the_account_manager_where_the_model_says_so() -> None:
    saturated = AccountOwners(
        arr=50_000, csm_email="csm@x", ae_email="ae@x", am_email="am@x", expansion_potential=False
    )
    assert renewal_owner(OwnershipConfig(model="high_touch_growth"), saturated).email == "am@x"
    assert renewal_owner(OwnershipConfig(model="high_touch_startup"), saturated).email == "ae@x"


def test_the_workspace_override_and_taking_ownership() -> None:
    assert (
        renewal_owner(OwnershipConfig(model="high_touch_startup", renewal_owner="am"), FULL).email == "am@x"
    )
    taken = AccountOwners(
        arr=1, csm_email="csm@x", ae_email="ae@x", am_email=None, renewal_owner_email="me@x"
    )
    decision = renewal_owner(OwnershipConfig(), taken)
    assert (decision.email, decision.rule) == ("me@x", "taken")


def test_an_empty_role_falls_back_along_the_chain_and_says_so() -> None:
    no_csm = AccountOwners(arr=1, csm_email=None, ae_email="ae@x", am_email="am@x")
    decision = renewal_owner(OwnershipConfig(model="plg"), no_csm)
    assert (decision.email, decision.fell_back_from) == ("am@x", "csm")
    nobody = AccountOwners(arr=1, csm_email=None, ae_email=None, am_email=None)
    assert renewal_owner(OwnershipConfig(), nobody).email is None


def test_small_expansions_go_to_the_csm_under_csm_models_only() -> None:
    assert expansion_owner(OwnershipConfig(model="plg"), FULL, amount=20_000).email == "csm@x"
    assert expansion_owner(OwnershipConfig(model="plg"), FULL, amount=20_001).email == "ae@x"
    assert expansion_owner(OwnershipConfig(model="high_touch_startup"), FULL, amount=100).email == "ae@x"


def test_an_unscored_account_is_not_an_alert() -> None:
    policy = RisksConfig()
    day = date(2026, 11, 23)
    assert (
        risk_reasons(
            band="no_data",
            score=None,
            previous_band=None,
            baseline=None,
            renews_on=date(2026, 12, 1),
            day=day,
            policy=policy,
        )
        == []
    )


def test_risk_reasons() -> None:
    policy = RisksConfig(drop_points=15, renewal_days=90)
    day = date(2026, 11, 23)
    assert risk_reasons(
        band="red", score=40, previous_band="yellow", baseline=50, renews_on=None, day=day, policy=policy
    ) == ["turned_red"]
    assert (
        risk_reasons(
            band="red", score=40, previous_band="red", baseline=50, renews_on=None, day=day, policy=policy
        )
        == []
    )
    assert risk_reasons(
        band="yellow", score=60, previous_band="green", baseline=75, renews_on=None, day=day, policy=policy
    ) == ["dropped"]
    assert risk_reasons(
        band="yellow",
        score=70,
        previous_band="yellow",
        baseline=72,
        renews_on=date(2027, 2, 21),
        day=day,
        policy=policy,
    ) == ["renewal_not_green"]
    assert (
        risk_reasons(
            band="green",
            score=90,
            previous_band="green",
            baseline=95,
            renews_on=date(2026, 12, 1),
            day=day,
            policy=policy,
        )
        == []
    )


def test_the_workspace_override_wins_over_the_no_expansion_potential_rule() -> None:
    saturated = AccountOwners(
        arr=1, csm_email="csm@x", ae_email="ae@x", am_email="am@x", expansion_potential=False
    )
    decision = renewal_owner(OwnershipConfig(model="high_touch_growth", renewal_owner="csm"), saturated)
    assert (decision.email, decision.rule) == ("csm@x", "override")
