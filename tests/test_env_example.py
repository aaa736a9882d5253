"""`.env.example` lists every setting, and it loads as a valid configuration."""

from __future__ import annotations

import re
from pathlib import Path

from bot.settings import Settings, env_name

ENV_EXAMPLE = Path(__file__).resolve().parents[1] / ".env.example"


def test_every_setting_is_documented() -> None:
    text = ENV_EXAMPLE.read_text(encoding="utf-8")
    listed = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", text, flags=re.M))
    expected = {env_name(field) for field in Settings.model_fields}
    assert expected - listed == set()


def test_every_documented_setting_has_a_comment() -> None:
    lines = ENV_EXAMPLE.read_text(encoding="utf-8").splitlines()
    setting = re.compile(r"^#? ?[A-Z][A-Z0-9_]+=")
    for index, line in enumerate(lines):
        if setting.match(line):
            above = index - 1
            while above >= 0 and setting.match(lines[above]):
                above -= 1  # a comment may introduce a block of related settings
            assert above >= 0 and lines[above].startswith("#"), f"{line} has no comment above it"


def test_example_values_are_valid(tmp_path: Path) -> None:
    values = {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([A-Z][A-Z0-9_]+)=(.*)$", line)
        if match:
            values[match.group(1)] = match.group(2)
    env_file = tmp_path / ".env"
    env_file.write_text("\n".join(f"{k}={v}" for k, v in values.items()), encoding="utf-8")
    settings = Settings(_env_file=env_file)  # type: ignore[call-arg]
    assert settings.discord_token is None or not settings.discord_token.get_secret_value()
