"""One cooldown bucket per user, shared by every way of asking."""

from __future__ import annotations

from bot.frontends.discord.cooldowns import QuestionCooldown


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_rate_per_user_and_retry_after() -> None:
    clock = Clock()
    cooldown = QuestionCooldown(2, 10.0, clock=clock)
    assert cooldown.hit(1) is None
    assert cooldown.hit(1) is None
    retry = cooldown.hit(1)
    assert retry is not None and 9.9 <= retry <= 10.0
    assert cooldown.hit(2) is None  # another user has their own bucket
    clock.now += 10.5
    assert cooldown.hit(1) is None
    cooldown.reset(1)
    assert cooldown.hit(1) is None and cooldown.hit(1) is None
    cooldown.reset()
    assert len(cooldown) == 0
    assert (cooldown.rate, cooldown.per) == (2, 10.0)


def test_idle_buckets_are_swept() -> None:
    clock = Clock()
    cooldown = QuestionCooldown(1, 5.0, clock=clock)
    for user in range(5000):
        cooldown.hit(user)
    clock.now += 6
    cooldown.hit(999_999)
    assert len(cooldown) < 5000
