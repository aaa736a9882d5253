"""Terminal front end (placeholder until the commands land)."""


def main() -> int:
    """Entry point of the `dateline` console script."""
    return 0
