"""Identifying details of a client: encrypted at rest, searchable only through a keyed blind index.

Everything a person could be recognised by (names, nickname, alias, phone, address, national ID) is kept in
one encrypted JSON value per client. Search works on HMAC digests of normalised words, so the database never
holds a name in plain text and a stolen copy without the key file cannot be searched by name either.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import unicodedata
from dataclasses import asdict, dataclass, fields

from anyascii import anyascii

from cbtc.clients.keys import KeyRing, current_keyring

NAME_FIELDS = ("given_name", "family_name", "nickname", "alias")
MAX_LENGTHS = {
    "given_name": 100,
    "family_name": 100,
    "nickname": 60,
    "alias": 100,
    "phone": 40,
    "address": 300,
    "national_id": 60,
}
_DIGEST_HEX_LENGTH = 32  # 128 bits: collisions are irrelevant at national scale
_WORD_SPLIT = re.compile(r"[^A-Z0-9]+")


@dataclass(frozen=True)
class Identity:
    given_name: str = ""
    family_name: str = ""
    nickname: str = ""
    alias: str = ""
    phone: str = ""
    address: str = ""
    national_id: str = ""

    def is_empty(self) -> bool:
        return not any(asdict(self).values())

    @property
    def display_name(self) -> str:
        """What staff call the client: the nickname when there is one, else the given and family names."""
        if self.nickname:
            return self.nickname
        return " ".join(part for part in (self.given_name, self.family_name) if part)

    @classmethod
    def from_values(cls, values: dict[str, object]) -> Identity:
        known = {field.name for field in fields(cls)}
        return cls(**{key: " ".join(str(value or "").split()) for key, value in values.items() if key in known})


def encrypt_identity(identity: Identity, *, ring: KeyRing | None = None) -> str:
    if identity.is_empty():
        return ""
    ring = ring or current_keyring()
    payload = json.dumps({key: value for key, value in asdict(identity).items() if value}, sort_keys=True)
    return ring.primary.encrypt(payload.encode("utf-8")).decode("ascii")


def decrypt_identity(token: str, *, ring: KeyRing | None = None) -> Identity:
    if not token:
        return Identity()
    ring = ring or current_keyring()
    return Identity.from_values(json.loads(ring.all_keys.decrypt(token.encode("ascii"))))


def reencrypt(token: str, *, ring: KeyRing) -> str:
    """The same value under the ring's primary key (MultiFernet.rotate keeps the original timestamp)."""
    if not token:
        return token
    return ring.all_keys.rotate(token.encode("ascii")).decode("ascii")


def encrypted_under_primary(token: str, *, ring: KeyRing) -> bool:
    if not token:
        return True
    try:
        ring.primary.decrypt(token.encode("ascii"))
    except Exception:  # cryptography raises InvalidToken; anything else also means "no"
        return False
    return True


def name_words(text: str) -> list[str]:
    """Upper-case ASCII words: the same spelling in any case, with or without diacritics, gives the same
    words. Non-Latin scripts go through anyascii's fixed transliteration table (docs/uic-schemes.md)."""
    ascii_text = anyascii(unicodedata.normalize("NFKC", text)).upper()
    return [word for word in _WORD_SPLIT.split(ascii_text) if word]


def _digest(ring: KeyRing, kind: str, word: str) -> str:
    mac = hmac.new(ring.blind_index_key, f"{kind}:{word}".encode("ascii"), hashlib.sha256)
    return mac.hexdigest()[:_DIGEST_HEX_LENGTH]


def identity_digests(identity: Identity, *, ring: KeyRing | None = None) -> set[str]:
    """Blind-index entries for a client: one per name word (any name field) and one for the national ID."""
    ring = ring or current_keyring()
    digests = {_digest(ring, "name", word) for field in NAME_FIELDS for word in name_words(getattr(identity, field))}
    national_id = "".join(name_words(identity.national_id))
    if national_id:
        digests.add(_digest(ring, "national_id", national_id))
    return digests


def name_query_digests(term: str, *, ring: KeyRing | None = None) -> list[str]:
    """Digests a name search must all match (each word of the search, in any name field)."""
    ring = ring or current_keyring()
    return sorted({_digest(ring, "name", word) for word in name_words(term)})


def national_id_query_digest(term: str, *, ring: KeyRing | None = None) -> str | None:
    ring = ring or current_keyring()
    value = "".join(name_words(term))
    return _digest(ring, "national_id", value) if value else None
