"""What an API process keeps of the subject keys (services.eventstore.subject_keys) is bounded:
it makes a key for every case it files, and every one of those keys stays readable after it
is let go of (from the table, where its row was committed)."""

from __future__ import annotations

import pytest

from domain.sealing import SEALER
from services.eventstore import subject_keys
from services.eventstore.subject_keys import Keyring


def test_the_keys_made_while_filing_are_kept_within_the_cache_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(subject_keys, "CACHE_LIMIT", 10)
    keyring = Keyring(None, postgres=True, master_key=None)
    sealed = []
    for n in range(35):  # a new consumer's case each time: a key each
        with keyring.sealing(f"subject-{n}", f"case-{n}") as rows:
            seal = SEALER.get()
            assert seal is not None
            sealed.append(seal(f"text {n}"))
        assert len(rows) == 1

    assert len(keyring._keys) <= 10
    assert keyring.unseal(sealed[-1].token) == "text 34"  # the latest key is still at hand
