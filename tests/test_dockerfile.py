"""The Dockerfile runs the README's recipe: the same commands, as a non-root user, checked on /healthz,
with every package of the project copied in."""

import re
import tomllib
from pathlib import Path

from bot.http import HEALTH_PATH

ROOT = Path(__file__).parent.parent
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")


def _instructions(name: str) -> list[str]:
    joined = DOCKERFILE.replace("\\\n", " ")
    return [line.split(None, 1)[1] for line in joined.splitlines() if line.startswith(name + " ")]


def test_the_container_runs_the_recipe_the_readme_gives_as_a_user_who_is_not_root() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    recipe = re.search(r"```sh\n# each replica\n(.*?)```", readme, re.S)
    assert recipe is not None, "the README's deployment recipe"
    commands = [line.split("#")[0].strip() for line in recipe.group(1).splitlines() if line.strip()]
    [command] = _instructions("CMD")
    assert command == '["sh", "-c", "' + " && exec ".join(commands) + '"]'
    users = _instructions("USER")
    assert users and users[-1] != "root"
    [health] = _instructions("HEALTHCHECK")
    assert HEALTH_PATH in health


def test_every_package_the_project_installs_is_copied_into_the_image() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    packages = {name.rstrip("*") for name in project["tool"]["setuptools"]["packages"]["find"]["include"]}
    copied = {line.split()[0] for line in _instructions("COPY") if line.split()[-1].startswith("./")}
    assert packages <= copied
