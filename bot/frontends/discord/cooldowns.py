"""One per-user question cooldown shared by mentions, Q&A channels and `/ask`.

discord.py's cooldown decorators are per command (and ext.commands ones need a `Message`), but
a person asking by mention and by slash command is still one person asking: one bucket each.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from discord import app_commands

# Forget idle users once this many buckets exist, so the map cannot grow without bound.
_SWEEP_AT = 4096


class QuestionCooldown:
    """`rate` questions per `per` seconds for each user; `hit` answers "wait N s" or None."""

    def __init__(self, rate: int, per: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.template = app_commands.Cooldown(rate, per)
        self._clock = clock
        self._buckets: dict[int, app_commands.Cooldown] = {}

    @property
    def rate(self) -> int:
        """Questions allowed per window."""
        return self.template.rate

    @property
    def per(self) -> float:
        """The window in seconds."""
        return self.template.per

    def hit(self, user_id: int) -> float | None:
        """Count one question; the seconds to wait if the user is over the rate, else None."""
        now = self._clock()
        bucket = self._buckets.get(user_id)
        if bucket is None:
            if len(self._buckets) >= _SWEEP_AT:
                self._sweep(now)
            bucket = self._buckets[user_id] = self.template.copy()
        return bucket.update_rate_limit(now)

    def reset(self, user_id: int | None = None) -> None:
        """Forget one user's bucket, or everyone's."""
        if user_id is None:
            self._buckets.clear()
        else:
            self._buckets.pop(user_id, None)

    def _sweep(self, now: float) -> None:
        idle = [
            user for user, bucket in self._buckets.items() if bucket.get_tokens(now) >= bucket.rate
        ]
        for user in idle:
            del self._buckets[user]

    def __len__(self) -> int:
        return len(self._buckets)
