"""Organisation key: key files, passphrase keyrings and key check values."""

from __future__ import annotations

import base64
import json
import stat
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from dutycare.adapters.crypto.errors import (
    CorruptCiphertext,
    CryptoError,
    KeyFileExists,
    KeyMissing,
    WrongKey,
)
from dutycare.adapters.crypto.keys import (
    RFC9106_LOW_MEMORY,
    KdfParams,
    KeyringRecord,
    OrgKey,
    create_key_file,
    ensure_matches,
    key_check_value,
    keyring_params,
    load_key_file,
    new_passphrase_keyring,
    passphrase_keyring_for,
    unlock_keyring,
    write_key_file,
)

CHEAP = KdfParams(time_cost=1, memory_cost_kib=64, parallelism=1)


def test_org_key_repr_and_str_hide_the_bytes() -> None:
    material = bytes(range(32))
    key = OrgKey(material)
    for shown in (repr(key), str(key), f"{key}", repr([key])):
        assert "hidden" in shown
        assert material.hex() not in shown
        assert base64.b64encode(material).decode() not in shown


def test_org_key_must_be_32_bytes() -> None:
    with pytest.raises(ValueError):
        OrgKey(b"short")


def test_generated_keys_differ_and_compare_by_value() -> None:
    assert OrgKey.generate() != OrgKey.generate()
    assert OrgKey(b"k" * 32) == OrgKey(b"k" * 32)


def test_key_file_round_trip_with_private_mode(tmp_path: Path) -> None:
    path = tmp_path / "org.key"
    key = create_key_file(path)
    assert load_key_file(path) == key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    lines = path.read_text("ascii").splitlines()
    assert lines[0] == "dutycare-org-key-v1"
    assert len(base64.b64decode(lines[1])) == 32


def test_key_file_is_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "org.key"
    create_key_file(path)
    before = path.read_bytes()
    with pytest.raises(KeyFileExists, match="never overwrites"):
        create_key_file(path)
    with pytest.raises(KeyFileExists):
        write_key_file(path, OrgKey.generate())
    assert path.read_bytes() == before


def test_key_file_in_missing_folder_is_a_crypto_error(tmp_path: Path) -> None:
    with pytest.raises(CryptoError, match="does not exist"):
        create_key_file(tmp_path / "nowhere" / "org.key")


def test_missing_key_file_explains_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "absent.key"
    with pytest.raises(KeyMissing) as caught:
        load_key_file(path)
    message = str(caught.value)
    assert str(path) in message
    assert "--key-file" in message
    assert "DUTYCARE_KEY_FILE" in message
    assert "docs/keys.md" in message


def test_key_file_that_is_a_folder(tmp_path: Path) -> None:
    with pytest.raises(KeyMissing, match="folder"):
        load_key_file(tmp_path)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "does not start"),
        (b"some-other-format\nAAAA\n", "does not start"),
        (b"dutycare-org-key-v1\n", "exactly one key line"),
        (b"dutycare-org-key-v1\nnot base64!!\n", "not valid base64"),
        (b"dutycare-org-key-v1\n" + base64.b64encode(b"x" * 16) + b"\n", "16 bytes"),
        (b"\xff\xfe binary", "does not start"),
        (b"dutycare-org-key-v1\n" + b"A" * 5000, "too large"),
    ],
)
def test_malformed_key_files_raise_key_missing(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "bad.key"
    path.write_bytes(content)
    with pytest.raises(KeyMissing, match=reason):
        load_key_file(path)


def test_key_file_with_windows_line_endings_still_loads(tmp_path: Path) -> None:
    key = OrgKey.generate()
    path = tmp_path / "org.key"
    write_key_file(path, key)
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    assert load_key_file(path) == key


def test_default_kdf_parameters_are_rfc_9106_second_option() -> None:
    assert KdfParams(time_cost=3, memory_cost_kib=65536, parallelism=4) == RFC9106_LOW_MEMORY
    assert RFC9106_LOW_MEMORY.salt_len == 16
    assert RFC9106_LOW_MEMORY.hash_len == 32


def test_passphrase_keyring_unlocks_with_the_right_passphrase() -> None:
    key, record = new_passphrase_keyring("correct horse battery staple", params=CHEAP)
    stored = json.loads(json.dumps(record))
    assert unlock_keyring(stored, "correct horse battery staple") == key


def test_passphrase_keyring_rejects_a_wrong_passphrase() -> None:
    _, record = new_passphrase_keyring("правильный пароль", params=CHEAP)
    with pytest.raises(WrongKey, match="passphrase is not correct"):
        unlock_keyring(record, "неправильный пароль")


def test_keyring_record_holds_params_and_no_secret() -> None:
    key, record = new_passphrase_keyring("passphrase", params=CHEAP)
    text = json.dumps(record)
    assert base64.b64encode(key._material).decode() not in text
    assert record["method"] == "passphrase"
    assert record["kdf"]["algorithm"] == "argon2id"
    assert keyring_params(record) == CHEAP
    assert len(base64.b64decode(record["salt"])) == 16


def test_passphrase_is_unicode_normalised() -> None:
    composed = unicodedata.normalize("NFC", "йод")
    decomposed = unicodedata.normalize("NFD", "йод")
    assert composed != decomposed
    key, record = new_passphrase_keyring(composed, params=CHEAP)
    assert unlock_keyring(record, decomposed) == key


def test_keyring_can_be_rewrapped_with_raised_parameters() -> None:
    key, record = new_passphrase_keyring("old", params=CHEAP)
    raised = KdfParams(time_cost=2, memory_cost_kib=128, parallelism=2)
    new_record = passphrase_keyring_for(unlock_keyring(record, "old"), "new", params=raised)
    assert keyring_params(new_record) == raised
    assert unlock_keyring(new_record, "new") == key


def test_empty_passphrase_is_refused() -> None:
    with pytest.raises(ValueError):
        new_passphrase_keyring("", params=CHEAP)


def test_tampered_kdf_parameters_do_not_unlock() -> None:
    _, record = new_passphrase_keyring("passphrase", params=CHEAP)
    tampered: KeyringRecord = json.loads(json.dumps(record))
    tampered["kdf"]["time_cost"] = 2
    with pytest.raises(WrongKey):
        unlock_keyring(tampered, "passphrase")


@pytest.mark.parametrize(
    "damage",
    [
        lambda r: r.pop("salt"),
        lambda r: r.update(format="something-else"),
        lambda r: r.update(wrapped_key="not base64!"),
        lambda r: r.update(wrapped_key=base64.b64encode(b"x" * 10).decode()),
        lambda r: r["kdf"].update(algorithm="scrypt"),
        lambda r: r["kdf"].update(time_cost="3"),
        lambda r: r["kdf"].update(memory_cost_kib=1 << 40),
        lambda r: r.update(kdf=[]),
    ],
)
def test_damaged_keyring_records_are_reported(damage: Callable[[Any], object]) -> None:
    _, record = new_passphrase_keyring("passphrase", params=CHEAP)
    damaged = json.loads(json.dumps(record))
    damage(damaged)
    with pytest.raises(CorruptCiphertext, match="keyring is damaged"):
        unlock_keyring(damaged, "passphrase")


def test_key_check_value_is_stable_and_key_specific() -> None:
    key = OrgKey.generate()
    check = key_check_value(key)
    assert check == key_check_value(OrgKey(key._material))
    assert check != key_check_value(OrgKey.generate())
    assert key._material.hex() not in check
    ensure_matches(key, check)


def test_ensure_matches_refuses_another_key() -> None:
    check = key_check_value(OrgKey.generate())
    with pytest.raises(WrongKey, match="does not belong to this database"):
        ensure_matches(OrgKey.generate(), check)


def test_ensure_matches_reports_an_unreadable_stored_check() -> None:
    with pytest.raises(CorruptCiphertext):
        ensure_matches(OrgKey.generate(), "garbage")
