"""Cold start, measured in a fresh process: imports, file fingerprints, snapshot load, first answer.

Run by `bot.tooling.bench.run` as
``python -m bot.tooling.bench.cold '<json settings overrides>' '<question>'``;
prints one JSON object. Its own peak RSS is what one serving process needs.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path


def peak_rss_mb() -> float:
    """This process's own peak RSS: `VmHWM` of its address space.

    (`ru_maxrss` of a process started by a big parent can report the parent's size.)
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except (OSError, ValueError):
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def main(argv: list[str]) -> int:
    """Load the published snapshot as a bot starting up would, and answer one question."""
    started = time.perf_counter()
    from bot.answers import answer_question
    from bot.settings import load_settings
    from bot.snapshot import SnapshotBuilder

    imported = time.perf_counter()
    settings = load_settings(**json.loads(argv[0]))
    builder = SnapshotBuilder()
    knowledge = builder(settings)
    loaded = time.perf_counter()
    answer_question(knowledge, argv[1])
    answered = time.perf_counter()
    stats = builder.last_stats
    sys.stdout.write(
        json.dumps(
            {
                "mode": stats.mode if stats else None,
                "passages": knowledge.passage_count,
                "import_seconds": round(imported - started, 3),
                "load_seconds": round(loaded - imported, 3),
                "first_answer_ms": round((answered - loaded) * 1000, 2),
                "peak_rss_mb": peak_rss_mb(),
            }
        )
        + "\n"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
