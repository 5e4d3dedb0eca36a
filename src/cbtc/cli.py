"""The ``cbtc`` command: Django's management commands under the project's own name.

``cbtc demo`` loads the demo network, ``cbtc serve`` serves the site, ``cbtc audit verify`` checks the
audit chain, and every Django command (``cbtc migrate``, ``cbtc check --deploy``) works as usual.
"""

from __future__ import annotations

import os
import sys

from django.core.management import execute_from_command_line

from cbtc.audit.context import request_context


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cbtc.settings")
    # One id for the whole command, so the audit events of one `cbtc demo` or `cbtc createadmin` run group.
    with request_context():
        execute_from_command_line(["cbtc", *sys.argv[1:]])


if __name__ == "__main__":
    main()
