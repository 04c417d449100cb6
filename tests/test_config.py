from pathlib import Path

import pytest

from bot.config import ConfigError, load_config


def test_the_shipped_default_loads_and_every_scorecard_weighs_to_100() -> None:
    config = load_config()
    assert config.default_locale == "en"
    for name in config.health.scorecards:
        # Weights are relative; the measures every account has weigh 100, the optional ones come on top.
        assert sum(m.weight for m in config.health.resolve(name).measures if not m.optional) == 100


def test_a_workspace_file_overrides_only_what_it_names(tmp_path: Path) -> None:
    path = tmp_path / "csbot.yml"
    path.write_text(
        "default_locale: ja\naccess:\n  allowed_usergroup: S0CS\nhealth:\n  trend_days: 14\n", "utf-8"
    )
    config = load_config(path)
    assert config.default_locale == "ja"
    assert config.access.allowed_usergroup == "S0CS"
    assert config.health.trend_days == 14
    assert config.currency == "USD"  # untouched default
    assert "enterprise" in config.health.scorecards


def test_scorecards_given_by_the_workspace_replace_the_default_ones(tmp_path: Path) -> None:
    path = tmp_path / "csbot.yml"
    path.write_text(
        """
health:
  scorecards:
    default:
      measures:
        - id: nps
          group: advocacy
          metric: nps
          weight: 1
          thresholds: [{at_least: 0, score: 100}, {score: 0}]
""",
        "utf-8",
    )
    config = load_config(path)
    assert list(config.health.scorecards) == ["default"]
    assert [m.id for m in config.health.scorecard_for("enterprise").measures] == ["nps"]


@pytest.mark.parametrize(
    ("yaml_text", "message"),
    [
        ("default_locale: fr\n", "default_locale"),
        ("timezone: Mars/Olympus\n", "timezone"),
        ("health:\n  scorecards:\n    smb: {measures: []}\n", "named 'default'"),
        (
            "health:\n  scorecards:\n    default:\n      measures:\n"
            "        - {id: x, group: adoption, weight: 1, thresholds: [{score: 0}]}\n",
            "names none",
        ),
        ("health:\n  bands: [{name: red, below: 50}]\n", "no 'below'"),
        ("signals:\n  channels: {general: A-1}\n", r"signals\.channels"),  # a name, not a channel id
        ("- just\n- a list\n", "mapping"),
    ],
)
def test_bad_configuration_is_refused_with_a_reason(tmp_path: Path, yaml_text: str, message: str) -> None:
    path = tmp_path / "bad.yml"
    path.write_text(yaml_text, "utf-8")
    with pytest.raises(ConfigError, match=message):
        load_config(path)


def test_extends_must_name_a_known_scorecard(tmp_path: Path) -> None:
    path = tmp_path / "bad.yml"
    path.write_text(
        "health:\n  scorecards:\n    default:\n      measures:\n"
        "        - {id: n, group: advocacy, metric: nps, weight: 1, thresholds: [{score: 0}]}\n"
        "    big: {extends: nowhere, segments: [enterprise]}\n",
        "utf-8",
    )
    with pytest.raises(ConfigError, match="unknown scorecard"):
        load_config(path)


def test_a_mistyped_key_is_refused_with_its_line_and_the_key_it_resembles(tmp_path: Path) -> None:
    path = tmp_path / "csbot.yml"
    path.write_text("default_locle: ja\nhealth:\n  trend_dayz: 30\nchannels:\n  risk: C0RISK\n", "utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    assert str(raised.value).splitlines()[1:] == [
        f'  {path}:1: default_locle: unknown key (did you mean "default_locale"?)',
        f'  {path}:3: health.trend_dayz: unknown key (did you mean "trend_days"?)',
        f'  {path}:5: channels.risk: unknown key (did you mean "risks"?)',
    ]


def test_a_mistyped_key_deep_in_a_scorecard_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "csbot.yml"
    path.write_text(
        "health:\n  scorecards:\n    default:\n      measures:\n"
        "        - {id: n, group: advocacy, metric: nps, weight: 1, windw_days: 9,\n"
        "           thresholds: [{score: 0}]}\n",
        "utf-8",
    )
    with pytest.raises(
        ConfigError, match=r":5: health\.scorecards\.default\.measures\.0\.windw_days: unknown key"
    ):
        load_config(path)


@pytest.mark.parametrize("currency", ["YEN", "US$", "EURO", "XYZ", ""])
def test_a_currency_that_is_not_iso_4217_is_refused(tmp_path: Path, currency: str) -> None:
    path = tmp_path / "csbot.yml"
    path.write_text(f"currency: '{currency}'\n", "utf-8")
    with pytest.raises(ConfigError, match=r":1: currency: .* is not an ISO 4217 currency code"):
        load_config(path)


@pytest.mark.parametrize(("written", "stored"), [("JPY", "JPY"), ("eur", "EUR"), (" gbp ", "GBP")])
def test_iso_4217_currencies_are_read_in_any_case(tmp_path: Path, written: str, stored: str) -> None:
    path = tmp_path / "csbot.yml"
    path.write_text(f"currency: '{written}'\n", "utf-8")
    assert load_config(path).currency == stored
