"""The key file: Fernet keys that encrypt identifying client details, and the key of the blind index.

Keys never live in the database (GDPR Art. 4(5): the additional information is kept separately). The file
is JSON, readable by the service account only::

    {"format": 1, "encryption_keys": ["<newest Fernet key>", "<older>", ...], "blind_index_key": "<base64>"}

The first encryption key encrypts; all of them decrypt, so a rotation can re-encrypt rows while the server
runs. Processes notice a rewritten file by its modification time, so a rotation run from the command line
reaches running web workers without a restart.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

KEY_FILE_FORMAT = 1
_BLIND_INDEX_KEY_BYTES = 32


class KeyFileError(ImproperlyConfigured):
    pass


@dataclass(frozen=True)
class KeyRing:
    encryption_keys: tuple[str, ...]  # newest first
    blind_index_key: bytes

    @property
    def primary(self) -> Fernet:
        return Fernet(self.encryption_keys[0])

    @property
    def all_keys(self) -> MultiFernet:
        return MultiFernet([Fernet(key) for key in self.encryption_keys])

    def with_new_primary(self) -> KeyRing:
        return KeyRing((Fernet.generate_key().decode("ascii"), *self.encryption_keys), self.blind_index_key)

    def with_new_blind_index_key(self) -> KeyRing:
        return KeyRing(self.encryption_keys, secrets.token_bytes(_BLIND_INDEX_KEY_BYTES))

    def only_primary(self) -> KeyRing:
        return KeyRing(self.encryption_keys[:1], self.blind_index_key)


def new_keyring() -> KeyRing:
    return KeyRing((Fernet.generate_key().decode("ascii"),), secrets.token_bytes(_BLIND_INDEX_KEY_BYTES))


def key_file_path() -> Path:
    configured = getattr(settings, "CLIENT_KEY_FILE", None)
    if not configured:
        raise KeyFileError(
            "CBTC_KEY_FILE is required: the path of the key file that encrypts identifying client details. "
            "Create one with `cbtc keys init`."
        )
    return Path(configured)


def _parse(path: Path, raw: bytes) -> KeyRing:
    try:
        data = json.loads(raw.decode("utf-8"))  # decoded here, so a file that is not text is reported like any other
        if data.get("format") != KEY_FILE_FORMAT:
            raise ValueError(f"format must be {KEY_FILE_FORMAT}")
        keys = data["encryption_keys"]
        if not isinstance(keys, list) or not keys or not all(isinstance(key, str) for key in keys):
            raise ValueError("encryption_keys must be a non-empty list of Fernet keys")
        for key in keys:
            Fernet(key)  # raises on a malformed key
        blind = base64.b64decode(data["blind_index_key"], validate=True)
        if len(blind) < _BLIND_INDEX_KEY_BYTES:
            raise ValueError(f"blind_index_key must hold at least {_BLIND_INDEX_KEY_BYTES} bytes")
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        # The message names the problem, never a key.
        raise KeyFileError(f"The key file {path} cannot be read: {exc.__class__.__name__}: {exc}") from None
    return KeyRing(tuple(keys), blind)


def _serialise(ring: KeyRing) -> str:
    return json.dumps(
        {
            "format": KEY_FILE_FORMAT,
            "encryption_keys": list(ring.encryption_keys),
            "blind_index_key": base64.b64encode(ring.blind_index_key).decode("ascii"),
        },
        indent=2,
    )


def write_keyring(ring: KeyRing, path: Path | None = None) -> None:
    """Replace the key file atomically (write a sibling, fsync, rename), readable by the owner only."""
    path = path or key_file_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(prefix=".keys-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(_serialise(ring))
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp_name, 0o600)
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    _cache.clear()


def create_key_file(path: Path | None = None) -> bool:
    """Make a key file if none exists. Returns False (and changes nothing) when one is already there."""
    path = path or key_file_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: two processes starting together must not each write different keys.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(_serialise(new_keyring()))
    _cache.clear()
    return True


class _Cache:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entry: tuple[Path, int, KeyRing] | None = None

    def get(self, path: Path) -> KeyRing:
        try:
            mtime = path.stat().st_mtime_ns
        except FileNotFoundError:
            if getattr(settings, "IS_PRODUCTION", True):
                raise KeyFileError(
                    f"The key file {path} does not exist. Create it with `cbtc keys init`, "
                    "and keep a copy somewhere safe: without it the identifying details cannot be read."
                ) from None
            create_key_file(path)  # demo and test: made on first use, like the secret key
            mtime = path.stat().st_mtime_ns
        with self._lock:
            entry = self._entry
            if entry is not None and entry[0] == path and entry[1] == mtime:
                return entry[2]
            ring = _parse(path, path.read_bytes())
            self._entry = (path, mtime, ring)
            return ring

    def clear(self) -> None:
        with self._lock:
            self._entry = None


_cache = _Cache()


def current_keyring() -> KeyRing:
    return _cache.get(key_file_path())
