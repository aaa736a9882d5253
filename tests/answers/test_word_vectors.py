"""Word vectors: the bundled model loads offline, sums compose, and related text scores higher."""

from __future__ import annotations

import itertools
import socket
import threading
from pathlib import Path

import numpy as np
import pytest

from bot.answers import WordVectors, cosines, load_word_vectors, shared_word_vectors, word_vectors


@pytest.fixture(scope="module")
def vectors() -> WordVectors:
    loaded = shared_word_vectors()
    assert loaded is not None, "the wordllama package ships the vectors; it is a dependency"
    return loaded


def test_loading_never_touches_the_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the word vectors must load without any connection")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    loaded = load_word_vectors()
    assert loaded is not None
    assert loaded.dimensions == 256


def test_related_sentences_score_above_unrelated(vectors: WordVectors) -> None:
    question = vectors.sums([["automaker", "recalled", "pickup", "trucks"]])[0]
    rows = vectors.sums(
        [
            ["Toyota", "announced", "recall", "Tacoma", "pickups"],
            ["Scientists", "found", "penguins", "Antarctic", "ice"],
        ]
    )
    related, unrelated = cosines(rows, question)
    assert related > unrelated + 0.1


def test_a_group_sum_is_the_sum_of_its_words(vectors: WordVectors) -> None:
    both, first, second, empty = vectors.sums([["Rome", "airfield"], ["Rome"], ["airfield"], []])
    assert np.allclose(both, first + second, atol=1e-2)
    assert not empty.any()


def test_nearest_word_cosine_is_one_for_the_same_word(vectors: WordVectors) -> None:
    target = vectors.sums([["planes"]])
    target /= np.linalg.norm(target, axis=1, keepdims=True)
    _, nearest = vectors.sums_and_matches([["the", "planes", "landed"], ["bread"]], target)
    assert nearest.shape == (2, 1)
    assert nearest[0, 0] == pytest.approx(1.0, abs=1e-2)
    assert nearest[1, 0] < 0.9


def test_memo_is_bounded_and_still_correct_past_its_limit(vectors: WordVectors) -> None:
    small = WordVectors(vectors._embedding, vectors._tokenizer, "test", memo_limit=2)
    words = ["alpha", "beta", "gamma", "delta"]
    sums = small.sums([[word] for word in words])
    assert small.memoised_words == 2
    assert np.allclose(sums, vectors.sums([[word] for word in words]), atol=1e-2)


def test_the_table_grows_past_its_first_size_in_one_batch_and_across_batches(
    vectors: WordVectors,
) -> None:
    fresh = WordVectors(vectors._embedding, vectors._tokenizer, "test")
    made_up = ["".join(letters) for letters in itertools.product("bdfkmpqz", repeat=4)]
    first, second = made_up[:1_000], made_up[1_000:3_500]  # crosses 1,024 and 2,048 rows
    fresh.sums([first])
    grown = fresh.sums([[word] for word in first + second])
    assert fresh.memoised_words == len(first) + len(second)
    reference = WordVectors(vectors._embedding, vectors._tokenizer, "test", memo_limit=0)
    assert np.allclose(grown, reference.sums([[word] for word in first + second]), atol=1e-2)


def test_words_split_into_pieces_sum_their_pieces(vectors: WordVectors) -> None:
    tokenizer = vectors._tokenizer
    for word in ["spokesman", "securities", "naïve", "co-operate"]:
        ids = tokenizer.encode(word.casefold(), add_special_tokens=False).ids
        expected = vectors._embedding[ids].astype(np.float32).sum(axis=0)
        assert np.allclose(vectors.sums([[word]])[0], expected, atol=5e-2)


def test_words_with_digits_share_the_zero_vector_and_are_not_kept(vectors: WordVectors) -> None:
    fresh = WordVectors(vectors._embedding, vectors._tokenizer, "test")
    sums, nearest = fresh.sums_and_matches(
        [["1987"], ["$15.5"], ["F-35"]], vectors.sums([["jets"]])
    )
    assert not sums.any()
    assert not nearest.any()
    assert fresh.memoised_words == 0


def test_shared_between_threads_gives_the_same_vectors(vectors: WordVectors) -> None:
    fresh = WordVectors(vectors._embedding, vectors._tokenizer, "test")
    made_up = ["".join(letters) for letters in itertools.product("bdfkmp", repeat=4)][:300]
    words = [[word, "common"] for word in made_up]
    results: list[np.ndarray] = []

    def work() -> None:
        results.append(fresh.sums(words))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(np.allclose(result, results[0]) for result in results)


def test_missing_model_turns_similarity_off(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    assert load_word_vectors(tmp_path) is None
    assert "semantic similarity off" in caplog.text


def test_cosines_of_empty_rows_are_zero() -> None:
    rows = np.zeros((2, 4), dtype=np.float32)
    assert cosines(rows, np.ones(4, dtype=np.float32)).tolist() == [0.0, 0.0]


def test_model_files_are_where_the_package_ships_them() -> None:
    folder = word_vectors._package_folder(word_vectors.MODEL_PACKAGE)
    assert folder is not None
    assert (folder / word_vectors.WEIGHTS_FILE).is_file()
    assert (folder / word_vectors.TOKENIZER_FILE).is_file()


def test_the_word_table_starts_as_writable_zeros() -> None:
    table = word_vectors._lazy_zeros(5_000, 256)
    assert table.shape == (5_000, 256)
    assert table.dtype == np.float32
    assert not table.any()
    table[4_999] = 1.0
    assert table.sum() == 256.0
