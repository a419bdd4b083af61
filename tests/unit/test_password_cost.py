"""Staff passwords are stored at Argon2id's recommended cost (the web tests sign in with a cheap one to save time)."""

from __future__ import annotations

import argon2
import argon2.profiles

from dutycare.service_layer import accounts


def test_passwords_are_hashed_with_argon2id_at_the_recommended_cost() -> None:
    stored = accounts.hash_password("a staff password")
    assert stored.startswith("$argon2id$")
    assert argon2.extract_parameters(stored) == argon2.profiles.RFC_9106_LOW_MEMORY
    assert argon2.extract_parameters(accounts._dummy_hash()) == argon2.profiles.RFC_9106_LOW_MEMORY
