"""Shared fixtures: paths to the bundled knowledge and to ../shared/data (skipped when absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
KNOWLEDGE = REPO / "knowledge"
SHARED_DATA = REPO.parent / "shared" / "data"


@pytest.fixture(autouse=True)
def _snapshots_in_temp(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Knowledge snapshots written by tests go to a temporary folder, not the working tree."""
    cache = tmp_path_factory.getbasetemp() / "dateline-cache"
    monkeypatch.setenv("DATELINE_CACHE_DIR", str(cache))


@pytest.fixture
def shared_data() -> Path:
    """../shared/data, or skip the test with a clear reason on a user's clone."""
    if not (SHARED_DATA / "README.md").is_file():
        pytest.skip(f"shared data not found at {SHARED_DATA} (only present on the team's machines)")
    return SHARED_DATA


@pytest.fixture
def knowledge_dir() -> Path:
    """The bundled default knowledge folder."""
    return KNOWLEDGE
