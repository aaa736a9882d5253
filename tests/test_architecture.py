"""The core never imports discord (or the terminal library): front ends stay thin adapters."""

from __future__ import annotations

import ast
from pathlib import Path

BOT = Path(__file__).resolve().parents[1] / "bot"
FRONT_ENDS = {"cli.py", "cli_commands.py", "cli_render.py", "evaluation_render.py"}
FORBIDDEN = {"discord", "rich"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_core_modules_never_import_front_end_libraries() -> None:
    core = [path for path in BOT.glob("*.py") if path.name not in FRONT_ENDS]
    assert len(core) > 10
    offenders = {
        path.name: _imports(path) & FORBIDDEN for path in core if _imports(path) & FORBIDDEN
    }
    assert offenders == {}
