"""The layering, checked by package path: a module is checked the day it lands.

text → retrieval → knowledge (neural, the encoder, beside) → answers / snapshot → serving →
tooling → front ends; records
(the SQLite history) stands beside them. Nothing below the front ends imports discord, the
terminal library or a front end; nothing below tooling imports tooling.
"""

from __future__ import annotations

import ast
from pathlib import Path

BOT = Path(__file__).resolve().parents[1] / "bot"
FOUNDATION = {"bot", "bot.errors", "bot.settings"}  # anyone may import these
# Which layers each layer may import (besides itself and FOUNDATION).
ALLOWED: dict[str, set[str]] = {
    "text": set(),
    "neural": set(),  # the sentence encoder and its vectors: numpy, onnxruntime, tokenizers
    "retrieval": {"text"},
    "knowledge": {"text", "retrieval"},
    "answers": {"text", "retrieval", "knowledge", "neural"},
    "snapshot": {"text", "retrieval", "knowledge"},
    "records": set(),
    "serving": {"text", "retrieval", "knowledge", "answers", "snapshot", "neural"},
    "tooling": {
        "text",
        "retrieval",
        "knowledge",
        "answers",
        "snapshot",
        "serving",
        "records",
        "neural",
    },
    "frontends.discord": {
        "text",
        "neural",
        "retrieval",
        "knowledge",
        "answers",
        "snapshot",
        "serving",
        "records",
    },
    # The command line also starts the Discord front end (`dateline run`) and the tooling.
    "frontends.cli": {
        "text",
        "neural",
        "retrieval",
        "knowledge",
        "answers",
        "snapshot",
        "serving",
        "records",
        "tooling",
        "frontends.discord",
    },
}
# Third-party libraries that belong to one front end (tooling may draw tables too).
FRONT_END_LIBRARIES = {"discord": {"frontends.discord"}, "rich": {"frontends.cli", "tooling"}}


LAYER_ROOTS = {layer.split(".")[0] for layer in ALLOWED}


def _layer(module: str) -> str | None:
    """The layer of a dotted module name inside `bot`; None for FOUNDATION, names such as
    `bot.__version__`, the bare `bot.frontends` (a docstring only) and anything outside."""
    parts = module.split(".")
    if parts[0] != "bot" or len(parts) < 2 or parts[1] not in LAYER_ROOTS:
        return None
    if parts[1] == "frontends":
        return f"frontends.{parts[2]}" if len(parts) > 2 else None
    return parts[1]


def _module_name(path: Path) -> str:
    relative = path.relative_to(BOT.parent).with_suffix("")
    parts = list(relative.parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _modules() -> list[Path]:
    return sorted(BOT.rglob("*.py"))


def test_every_module_lives_in_a_layer_package() -> None:
    loose = [
        path.name
        for path in _modules()
        if _module_name(path) not in FOUNDATION | {"bot.frontends"}
        and _layer(_module_name(path)) not in ALLOWED
    ]
    assert loose == []


def test_layers_import_only_what_lies_below_them() -> None:
    offenders: dict[str, set[str]] = {}
    for path in _modules():
        own = _layer(_module_name(path))
        if own is None:  # FOUNDATION imports nothing of Dateline's but itself
            bad = {
                name
                for name in _imports(path)
                if name.startswith("bot.") and name not in FOUNDATION and _layer(name) is not None
            }
        else:
            bad = {
                name
                for name in _imports(path)
                if (layer := _layer(name)) is not None
                and layer != own
                and layer not in ALLOWED[own]
            }
        if bad:
            offenders[_module_name(path)] = bad
    assert offenders == {}


def test_front_end_libraries_stay_in_their_front_end() -> None:
    offenders: dict[str, set[str]] = {}
    for path in _modules():
        own = _layer(_module_name(path))
        used = {name.split(".")[0] for name in _imports(path)} & set(FRONT_END_LIBRARIES)
        bad = {library for library in used if own not in FRONT_END_LIBRARIES[library]}
        if bad:
            offenders[_module_name(path)] = bad
    assert offenders == {}


def test_the_checks_see_the_real_tree() -> None:
    """Guard against a check that passes because it looked at nothing."""
    layers = {_layer(_module_name(path)) for path in _modules()}
    assert set(ALLOWED) <= layers
    assert "bot.answers.model" in {_module_name(path) for path in _modules()}
    assert "discord" in {
        name.split(".")[0] for name in _imports(BOT / "frontends" / "discord" / "bot.py")
    }


def test_every_package_says_what_it_owns() -> None:
    undocumented = [
        str(path.relative_to(BOT))
        for path in BOT.rglob("__init__.py")
        if ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) is None
    ]
    assert undocumented == []


def test_modules_stay_small() -> None:
    """One purpose a module: none past ~600 lines."""
    long = {
        _module_name(path): lines
        for path in _modules()
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > 600
    }
    assert long == {}
