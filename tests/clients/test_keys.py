"""The key file and key rotation (docs/deploy.md, "Keys").

The file is made readable by its owner only; a damaged file stops the server with a message that names the
problem and never repeats a key; production refuses to guess where the file is. Rotation re-encrypts every
identifying value under a new key (and, with --blind-index, rebuilds the search index under a new key) without
losing a single identity or the ability to search by name; old keys are retired only when nothing needs them.
"""

from __future__ import annotations

import base64
import json
import os
import stat
import subprocess
import sys
import traceback
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.management import CommandError, call_command

from cbtc.clients.checks import key_file_check
from cbtc.clients.identity import Identity, decrypt_identity, encrypt_identity
from cbtc.clients.keys import KeyFileError, KeyRing, _cache, create_key_file, current_keyring
from cbtc.clients.models import Client, ClientSearchDigest
from cbtc.clients.selectors import ClientQuery, client_search_for_actor
from cbtc.clients.services import Demographics, client_register
from cbtc.clients.uic import active_scheme, parse_uic
from cbtc.network.roles import Role

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def key_file(tmp_path: Path, settings) -> Iterator[Path]:
    path = tmp_path / "secrets" / "keys.json"
    settings.CLIENT_KEY_FILE = str(path)
    _cache.clear()
    yield path
    _cache.clear()


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def keys(command: str, *args: str) -> str:
    out = StringIO()
    call_command("keys", command, *args, stdout=out)
    return out.getvalue()


# ---- the file ------------------------------------------------------------------------------------------


def test_demo_and_test_mode_create_the_key_file_owner_readable_only(key_file):
    previous = os.umask(0)  # even a permissive umask must not make it readable by others
    try:
        ring = current_keyring()
    finally:
        os.umask(previous)
    assert key_file.exists()
    assert mode_of(key_file) == 0o600
    assert len(ring.encryption_keys) == 1 and len(ring.blind_index_key) >= 32
    assert current_keyring() == ring  # made once, then read


def test_keys_init_creates_once_and_never_overwrites(key_file):
    assert "Created" in keys("init")
    assert mode_of(key_file) == 0o600
    first = key_file.read_bytes()
    assert "already exists; nothing changed" in keys("init")
    assert key_file.read_bytes() == first


VALID_KEY = Fernet.generate_key().decode()
BLIND = base64.b64encode(b"B" * 16 + os.urandom(16)).decode()
SECRETISH = "SECRETKEYMATERIAL0123456789abcdefghijklmnop"


def _file(**fields: object) -> str:
    data: dict[str, object] = {"format": 1, "encryption_keys": [VALID_KEY], "blind_index_key": BLIND}
    data.update(fields)
    return json.dumps({k: v for k, v in data.items() if v is not None})


MALFORMED = {
    "not JSON": (f'{{"encryption_keys": ["{VALID_KEY}"', "JSONDecodeError"),
    "empty file": ("", "JSONDecodeError"),
    "a JSON list": (json.dumps([VALID_KEY, BLIND]), "AttributeError"),
    "another format": (_file(format=2), "format must be 1"),
    "no encryption keys": (_file(encryption_keys=[]), "encryption_keys must be a non-empty list"),
    "keys not a list": (_file(encryption_keys=VALID_KEY), "encryption_keys must be a non-empty list"),
    "a malformed key": (_file(encryption_keys=[VALID_KEY, SECRETISH]), "Fernet key must be 32 url-safe"),
    "a key that is not text": (_file(encryption_keys=[VALID_KEY, 12345]), "encryption_keys must be"),
    "no blind-index key": (json.dumps({"format": 1, "encryption_keys": [VALID_KEY]}), "blind_index_key"),
    "blind-index key not base64": (_file(blind_index_key=SECRETISH + "!!"), "Error"),
    "blind-index key too short": (_file(blind_index_key=base64.b64encode(b"short").decode()), "at least 32 bytes"),
    "not UTF-8 text": (b"\xff\xfe" + VALID_KEY.encode() + b"\xc3", "UnicodeDecodeError"),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_a_malformed_key_file_is_a_clear_error_that_never_echoes_key_material(key_file, case):
    content, problem = MALFORMED[case]
    key_file.parent.mkdir(parents=True)
    if isinstance(content, bytes):
        key_file.write_bytes(content)
    else:
        key_file.write_text(content)
    with pytest.raises(KeyFileError) as caught:
        current_keyring()
    message = str(caught.value)
    assert str(key_file) in message and "cannot be read" in message
    assert problem in message, message
    shown = message + "".join(traceback.format_exception(caught.value))
    for material in (VALID_KEY, VALID_KEY[:16], BLIND, BLIND[:16], SECRETISH):
        assert material not in shown, case


def test_production_requires_a_key_file_and_never_makes_one(tmp_path, settings):
    settings.IS_PRODUCTION = True
    settings.CLIENT_KEY_FILE = None
    _cache.clear()
    with pytest.raises(KeyFileError, match="CBTC_KEY_FILE is required"):
        current_keyring()
    with pytest.raises(KeyFileError, match="CBTC_KEY_FILE is required"):
        keys("status")
    assert [error.id for error in key_file_check()] == ["cbtc.E001"]

    missing = tmp_path / "keys.json"
    settings.CLIENT_KEY_FILE = str(missing)
    with pytest.raises(KeyFileError, match="does not exist"):
        current_keyring()
    assert not missing.exists()  # production never generates keys it would then lose
    assert [error.id for error in key_file_check()] == ["cbtc.E001"]


def test_production_settings_leave_the_key_file_unset_and_the_deploy_check_says_so(tmp_path):
    """The real settings module, read in production mode without CBTC_KEY_FILE (a separate interpreter)."""
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "CBTC_MODE": "production",
        "CBTC_SECRET_KEY": "production-like-secret-key-for-this-test-only-0123456789abcdef",
        "CBTC_DATA_DIR": str(tmp_path / "data"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "cbtc.settings",
    }
    script = (
        "import django; django.setup()\n"
        "from django.conf import settings\n"
        "from cbtc.clients.checks import key_file_check\n"
        "print(repr(settings.CLIENT_KEY_FILE), [e.id for e in key_file_check()])\n"
    )
    result = subprocess.run(  # noqa: S603  # our own interpreter, a fixed script
        [sys.executable, "-c", script],
        env=environment,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "None ['cbtc.E001']"


# ---- rotation ------------------------------------------------------------------------------------------

FULL = Identity(
    given_name="Rotavia",
    family_name="Keyholm",
    nickname="Rota",
    phone="+00 555 0101",
    address="1 Cipher Lane",
    national_id="RK-0101",
)
NICKNAME_ONLY = Identity(nickname="Quietone")


@pytest.fixture
def registered(key_file, network, personas) -> tuple[object, dict[object, Identity]]:
    actor = personas.by_role[Role.CLINICIAN]
    identities = {}
    for code, identity in (
        ("MARE0101011970", FULL),
        ("JOPA0202021980", NICKNAME_ONLY),
        ("XXXX9999999999", Identity()),  # anonymous: nothing to encrypt
    ):
        client = client_register(
            actor=actor,
            organisation=network.org_a,
            uic=parse_uic(active_scheme(), code),
            demographics=Demographics(),
            identity=identity,
            confirmed_new_person=True,
        )
        identities[client.pk] = identity
    return actor, identities


def ciphertexts() -> dict[object, str]:
    return dict(Client.objects.values_list("pk", "identity_ciphertext"))


def digests() -> dict[object, set[str]]:
    found: dict[object, set[str]] = {}
    for client_id, digest in ClientSearchDigest.objects.values_list("client_id", "digest"):
        found.setdefault(client_id, set()).add(digest)
    return found


def found_by(actor, text: str) -> set[object]:
    return {row.client.pk for row in client_search_for_actor(actor=actor, query=ClientQuery(text=text)).rows}


def test_rotate_reencrypts_everything_under_a_key_that_alone_decrypts_it(registered, key_file):
    actor, identities = registered
    full_id = next(pk for pk, identity in identities.items() if identity == FULL)
    old_ring = current_keyring()
    before, index_before = ciphertexts(), digests()

    output = keys("rotate")
    assert "Re-encrypted 2 value(s)" in output and "Every value is under the newest key" in output
    ring = current_keyring()
    assert len(ring.encryption_keys) == 2 and ring.encryption_keys[1] == old_ring.encryption_keys[0]
    assert ring.blind_index_key == old_ring.blind_index_key
    assert mode_of(key_file) == 0o600

    new_only = KeyRing(ring.encryption_keys[:1], ring.blind_index_key)
    old_only = KeyRing(old_ring.encryption_keys, old_ring.blind_index_key)
    after = ciphertexts()
    for pk, identity in identities.items():
        if identity.is_empty():
            assert after[pk] == before[pk] == ""
            continue
        assert after[pk] != before[pk]
        assert decrypt_identity(after[pk], ring=new_only) == identity
        with pytest.raises(InvalidToken):
            decrypt_identity(after[pk], ring=old_only)
    assert digests() == index_before  # the search key did not change
    assert found_by(actor, "rotavia") == {full_id}
    assert found_by(actor, "RK-0101") == {full_id}
    assert "2 key(s)" in keys("status") and "0 value(s) not under the newest" in keys("status")


def test_rotate_blind_index_replaces_every_digest_and_search_still_works(registered):
    actor, identities = registered
    full_id = next(pk for pk, identity in identities.items() if identity == FULL)
    nick_id = next(pk for pk, identity in identities.items() if identity == NICKNAME_ONLY)
    old_ring = current_keyring()
    before, index_before = ciphertexts(), digests()
    assert found_by(actor, "Keyholm") == {full_id}

    assert "Re-encrypted and re-indexed 3 client(s)" in keys("rotate", "--blind-index")
    ring = current_keyring()
    assert ring.blind_index_key != old_ring.blind_index_key
    index_after = digests()
    assert set(index_after) == set(index_before)  # the anonymous client has none, before and after
    for pk, old in index_before.items():
        assert len(index_after[pk]) == len(old)
        assert not index_after[pk] & old
    every_old = set().union(*index_before.values())
    assert not ClientSearchDigest.objects.filter(digest__in=every_old).exists()  # old digests are gone

    new_only = KeyRing(ring.encryption_keys[:1], ring.blind_index_key)
    after = ciphertexts()
    for pk, identity in identities.items():
        assert decrypt_identity(after[pk], ring=new_only) == identity
        assert after[pk] == "" or after[pk] != before[pk]
    assert found_by(actor, "keyholm ROTAVIA") == {full_id}
    assert found_by(actor, "RK0101") == {full_id}
    assert found_by(actor, "Quietone") == {nick_id}


def test_retire_refuses_while_a_value_still_needs_an_old_key(registered, key_file):
    actor, identities = registered
    full_id = next(pk for pk, identity in identities.items() if identity == FULL)
    old_ring = current_keyring()
    keys("rotate")
    # A worker process that had not yet noticed the new file wrote a value under the old key.
    stale = encrypt_identity(FULL, ring=KeyRing(old_ring.encryption_keys, old_ring.blind_index_key))
    Client.objects.filter(pk=full_id).update(identity_ciphertext=stale)

    assert "1 value(s) not under the newest" in keys("status")
    file_before = key_file.read_bytes()
    with pytest.raises(CommandError, match="1 value"):
        keys("retire")
    assert key_file.read_bytes() == file_before  # nothing retired
    assert decrypt_identity(Client.objects.get(pk=full_id).identity_ciphertext) == FULL

    keys("rotate")
    assert "3 key(s)" in keys("status") and "0 value(s)" in keys("status")
    assert "Old keys removed" in keys("retire")
    ring = current_keyring()
    assert len(ring.encryption_keys) == 1
    assert mode_of(key_file) == 0o600
    for pk, identity in identities.items():
        assert decrypt_identity(Client.objects.get(pk=pk).identity_ciphertext, ring=ring) == identity
    assert found_by(actor, "Rotavia") == {full_id}


def test_a_key_file_readable_by_others_is_reported_by_the_deploy_check(tmp_path: Path, settings: Any) -> None:
    from django.core.checks import run_checks  # noqa: PLC0415  # only this test runs every check

    key_file = tmp_path / "keys.json"
    settings.CLIENT_KEY_FILE = str(key_file)
    create_key_file(key_file)
    assert not [m for m in run_checks(include_deployment_checks=True) if m.id == "cbtc.W001"]
    key_file.chmod(0o644)
    warnings = [m for m in run_checks(include_deployment_checks=True) if m.id == "cbtc.W001"]
    assert len(warnings) == 1
    assert "chmod 600" in (warnings[0].hint or "")
