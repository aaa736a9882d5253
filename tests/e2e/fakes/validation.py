"""Discord's documented request limits, so the fake rejects what the real API would reject.

Each check returns a list of `Problem`s; `invalid_form_body` turns them into Discord's 400 body
(code 50035 with a nested ``errors`` tree), which discord.py raises as `HTTPException`.
Only the limits a bot can plausibly hit are checked: message/embed/component sizes, empty
messages, command schemas, autocomplete choices and modals.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from .state import JSON, walk_components

Path = tuple[str | int, ...]

CONTENT_MAX = 2000
EMBEDS_MAX = 10
EMBED_TOTAL_MAX = 6000
COMMAND_NAME_RE = re.compile(r"^[-_'\w]{1,32}$")
IS_COMPONENTS_V2 = 1 << 15
ALLOWED_MESSAGE_FLAGS = (1 << 2) | (1 << 6) | (1 << 12) | IS_COMPONENTS_V2  # suppress embeds,
# ephemeral, suppress notifications, components v2


@dataclass(frozen=True, slots=True)
class Problem:
    path: Path
    code: str
    message: str


def invalid_form_body(problems: Sequence[Problem]) -> JSON:
    """Discord's error body for a rejected payload."""
    errors: JSON = {}
    for p in problems:
        node = errors
        for key in p.path:
            node = node.setdefault(str(key), {})
        node.setdefault("_errors", []).append({"code": p.code, "message": p.message})
    return {"message": "Invalid Form Body", "code": 50035, "errors": errors}


def _max_len(path: Path, value: Any, limit: int) -> list[Problem]:
    if isinstance(value, str) and len(value) > limit:
        return [Problem(path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")]
    return []


def _len_between(path: Path, value: Any, low: int, high: int) -> list[Problem]:
    text = value if isinstance(value, str) else ""
    if not low <= len(text) <= high:
        return [
            Problem(path, "BASE_TYPE_BAD_LENGTH", f"Must be between {low} and {high} in length.")
        ]
    return []


def embed_problems(embeds: Sequence[JSON], base: Path = ("embeds",)) -> list[Problem]:
    out: list[Problem] = []
    if len(embeds) > EMBEDS_MAX:
        out.append(
            Problem(base, "BASE_TYPE_MAX_LENGTH", f"Must be {EMBEDS_MAX} or fewer in length.")
        )
    total = 0
    for i, embed in enumerate(embeds):
        p = (*base, i)
        title = embed.get("title") or ""
        desc = embed.get("description") or ""
        out += _max_len((*p, "title"), title, 256)
        out += _max_len((*p, "description"), desc, 4096)
        total += len(title) + len(desc)
        fields = embed.get("fields") or []
        if len(fields) > 25:
            out.append(
                Problem((*p, "fields"), "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
            )
        for j, fld in enumerate(fields):
            name, value = fld.get("name") or "", fld.get("value") or ""
            out += _len_between((*p, "fields", j, "name"), name, 1, 256)
            out += _len_between((*p, "fields", j, "value"), value, 1, 1024)
            total += len(name) + len(value)
        footer = (embed.get("footer") or {}).get("text") or ""
        author = (embed.get("author") or {}).get("name") or ""
        out += _max_len((*p, "footer", "text"), footer, 2048)
        out += _max_len((*p, "author", "name"), author, 256)
        total += len(footer) + len(author)
    if total > EMBED_TOTAL_MAX:
        out.append(
            Problem(base, "MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of 6000")
        )
    return out


def component_problems(components: Sequence[JSON], *, v2: bool) -> list[Problem]:
    out: list[Problem] = []
    if not v2 and len(components) > 5:
        out.append(
            Problem(("components",), "BASE_TYPE_MAX_LENGTH", "Must be 5 or fewer in length.")
        )
    seen: set[str] = set()
    for i, row in enumerate(components):
        if not v2 and row.get("type") != 1:
            out.append(
                Problem(
                    ("components", i, "type"),
                    "UNION_TYPE_CHOICES",
                    "Top-level components must be action rows without components v2.",
                )
            )
        children = row.get("components", []) if row.get("type") == 1 else []
        if len(children) > 5:
            out.append(
                Problem(
                    ("components", i, "components"),
                    "BASE_TYPE_MAX_LENGTH",
                    "Must be 5 or fewer in length.",
                )
            )
    for comp in walk_components(components):
        ctype = comp.get("type")
        cid = comp.get("custom_id")
        if cid is not None:
            out += _len_between(("components", "custom_id"), cid, 1, 100)
            if cid in seen:
                out.append(
                    Problem(
                        ("components", "custom_id"),
                        "COMPONENT_CUSTOM_ID_DUPLICATED",
                        f"Component custom id {cid!r} cannot be duplicated",
                    )
                )
            seen.add(cid)
        if ctype == 2:
            out += _max_len(("components", "label"), comp.get("label") or "", 80)
            if comp.get("style") == 5:
                if not comp.get("url") or cid is not None:
                    out.append(
                        Problem(
                            ("components", "url"),
                            "BUTTON_COMPONENT_URL_REQUIRED",
                            "A link button needs a url and no custom_id.",
                        )
                    )
            elif comp.get("style") != 6 and cid is None:
                out.append(
                    Problem(
                        ("components", "custom_id"),
                        "BUTTON_COMPONENT_CUSTOM_ID_REQUIRED",
                        "A non-link button needs a custom_id.",
                    )
                )
        if ctype == 3 and len(comp.get("options", [])) > 25:
            out.append(
                Problem(
                    ("components", "options"),
                    "BASE_TYPE_MAX_LENGTH",
                    "Must be 25 or fewer in length.",
                )
            )
    return out


def message_problems(
    body: JSON, *, files: int = 0, allow_ephemeral: bool = False, editing: bool = False
) -> list[Problem]:
    """Checks a create/edit-message body (channel message, interaction reply or followup)."""
    out: list[Problem] = []
    content = body.get("content")
    if content is not None and not isinstance(content, str):
        out.append(Problem(("content",), "BASE_TYPE_STRING", "Must be a string."))
        content = ""
    out += _max_len(("content",), content or "", CONTENT_MAX)
    flags = int(body.get("flags") or 0)
    if flags & ~ALLOWED_MESSAGE_FLAGS or (flags & 64 and not allow_ephemeral):
        out.append(Problem(("flags",), "MESSAGE_FLAGS_INVALID", f"Invalid message flags {flags}."))
    embeds = body.get("embeds") or []
    out += embed_problems(embeds)
    components = body.get("components") or []
    v2 = bool(flags & IS_COMPONENTS_V2)
    out += component_problems(components, v2=v2)
    if v2 and (content or embeds):
        out.append(
            Problem(
                ("content",),
                "MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2",
                "content and embeds cannot be used with components v2.",
            )
        )
    if not editing:
        has_something = bool(
            (content or "").strip()
            or embeds
            or components
            or files
            or body.get("sticker_ids")
            or body.get("poll")
            or body.get("attachments")
        )
        if not has_something:
            out.append(Problem((), "50006", "Cannot send an empty message"))
    return out


def _option_problems(options: Sequence[JSON], path: Path, depth: int) -> list[Problem]:
    out: list[Problem] = []
    if len(options) > 25:
        out.append(Problem(path, "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length."))
    names: set[str] = set()
    seen_optional = False
    for i, opt in enumerate(options):
        p = (*path, i)
        name = opt.get("name", "")
        if not COMMAND_NAME_RE.match(name) or name != name.lower():
            out.append(
                Problem(
                    (*p, "name"),
                    "APPLICATION_COMMAND_INVALID_NAME",
                    f"Command name {name!r} is invalid",
                )
            )
        if name in names:
            out.append(
                Problem(
                    (*p, "name"),
                    "APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS",
                    f"Option name {name!r} is already used.",
                )
            )
        names.add(name)
        out += _len_between((*p, "description"), opt.get("description"), 1, 100)
        otype = opt.get("type")
        if otype in (1, 2):
            if depth >= (1 if otype == 2 else 2):
                out.append(
                    Problem(
                        (*p, "type"),
                        "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
                        "Sub-commands cannot be nested this deep.",
                    )
                )
            sub = opt.get("options") or []
            if otype == 2 and any(o.get("type") != 1 for o in sub):
                out.append(
                    Problem(
                        (*p, "options"),
                        "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
                        "A sub-command group may only contain sub-commands.",
                    )
                )
            out += _option_problems(sub, (*p, "options"), depth + 1)
            continue
        if opt.get("required"):
            if seen_optional:
                out.append(
                    Problem(
                        (*p, "required"),
                        "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                        "Required options must be placed before non-required options",
                    )
                )
        else:
            seen_optional = True
        choices = opt.get("choices") or []
        if len(choices) > 25:
            out.append(
                Problem((*p, "choices"), "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
            )
        if choices and opt.get("autocomplete"):
            out.append(
                Problem(
                    (*p, "autocomplete"),
                    "AUTOCOMPLETE_CANNOT_HAVE_CHOICES",
                    "Autocomplete cannot be enabled on options with choices.",
                )
            )
    return out


def command_problems(commands: Sequence[JSON]) -> list[Problem]:
    """Checks a bulk-overwrite body (PUT .../commands)."""
    out: list[Problem] = []
    seen: set[tuple[int, str]] = set()
    per_type: dict[int, int] = {}
    for i, cmd in enumerate(commands):
        ctype = int(cmd.get("type", 1))
        per_type[ctype] = per_type.get(ctype, 0) + 1
        name = cmd.get("name", "")
        if (ctype, name) in seen:
            out.append(
                Problem(
                    (i, "name"),
                    "APPLICATION_COMMANDS_DUPLICATE_NAME",
                    f"Application command names must be unique ({name!r})",
                )
            )
        seen.add((ctype, name))
        if ctype == 1:
            if not COMMAND_NAME_RE.match(name) or name != name.lower():
                out.append(
                    Problem(
                        (i, "name"),
                        "APPLICATION_COMMAND_INVALID_NAME",
                        f"Command name {name!r} is invalid",
                    )
                )
            out += _len_between((i, "description"), cmd.get("description"), 1, 100)
            out += _option_problems(cmd.get("options") or [], (i, "options"), 0)
            size = _command_size(cmd)
            if size > 4000:
                out.append(
                    Problem(
                        (i,),
                        "APPLICATION_COMMAND_TOO_LARGE",
                        f"Command exceeds maximum size (4000): {size}",
                    )
                )
        else:
            out += _len_between((i, "name"), name, 1, 32)
    if per_type.get(1, 0) > 100:
        out.append(Problem((), "APPLICATION_COMMANDS_TOO_MANY", "Max 100 chat input commands."))
    for ctype in (2, 3):
        if per_type.get(ctype, 0) > 15:
            out.append(
                Problem((), "APPLICATION_COMMANDS_TOO_MANY", "Max 15 context menu commands.")
            )
    return out


def _command_size(cmd: JSON) -> int:
    def walk(opts: Iterable[JSON]) -> int:
        total = 0
        for o in opts:
            total += len(o.get("name", "")) + len(o.get("description", ""))
            total += sum(
                len(str(c.get("name", ""))) + len(str(c.get("value", "")))
                for c in o.get("choices") or []
            )
            total += walk(o.get("options") or [])
        return total

    return (
        len(cmd.get("name", "")) + len(cmd.get("description", "")) + walk(cmd.get("options") or [])
    )


def autocomplete_problems(data: JSON) -> list[Problem]:
    out: list[Problem] = []
    choices = data.get("choices")
    if not isinstance(choices, list):
        return [Problem(("data", "choices"), "BASE_TYPE_REQUIRED", "This field is required")]
    if len(choices) > 25:
        out.append(
            Problem(("data", "choices"), "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
        )
    for i, choice in enumerate(choices):
        out += _len_between(("data", "choices", i, "name"), choice.get("name"), 1, 100)
        value = choice.get("value")
        if isinstance(value, str):
            out += _len_between(("data", "choices", i, "value"), value, 1, 100)
    return out


def modal_problems(data: JSON) -> list[Problem]:
    out: list[Problem] = []
    out += _len_between(("data", "title"), data.get("title"), 1, 45)
    out += _len_between(("data", "custom_id"), data.get("custom_id"), 1, 100)
    comps = data.get("components") or []
    if not 1 <= len(comps) <= 5:
        out.append(
            Problem(
                ("data", "components"), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 5 in length."
            )
        )
    return out
