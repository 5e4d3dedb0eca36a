"""Start-up checks: a server without its key file cannot read identifying details, and must say so early."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Error, Warning, register

from cbtc.clients.keys import KeyFileError, current_keyring, key_file_path
from cbtc.clients.uic import UicDefinitionError, UicError, active_scheme, available_schemes


@register(deploy=True)
def key_file_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    try:
        current_keyring()
    except KeyFileError as exc:
        return [Error(str(exc), hint="See docs/deploy.md, 'Keys'.", id="cbtc.E001")]
    path = key_file_path()
    if path.stat().st_mode & 0o077:
        return [
            Warning(
                f"The key file {path} can be read by other accounts on this machine.",
                hint=f"chmod 600 {path}, owned by the account cbtc runs as.",
                id="cbtc.W001",
            )
        ]
    return []


@register()
def uic_scheme_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """A malformed scheme definition or an unknown CBTC_UIC_SCHEME stops the server at start-up, not at the
    first registration in the field."""
    try:
        available_schemes()
        active_scheme()
    except (UicDefinitionError, UicError) as exc:
        return [Error(str(exc), hint="See docs/uic-schemes.md.", id="cbtc.E002")]
    return []
