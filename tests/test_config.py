from pathlib import Path

import pytest

from bot.config import ConfigError, load_config


def test_the_shipped_default_loads_and_every_scorecard_weighs_to_100() -> None:
    config = load_config()
    assert config.default_locale == "en"
    for name in config.health.scorecards:
        assert sum(m.weight for m in config.health.resolve(name).measures) == 100


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
