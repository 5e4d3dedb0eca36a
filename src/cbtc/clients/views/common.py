"""What every client page needs: the acting member of staff and the record as they may see it."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from cbtc.clients.selectors import NOT_OWNER, ClientRecord, client_get_for_actor
from cbtc.clients.uic import UicError, get_scheme
from cbtc.consent.models import DisclosureChannel
from cbtc.errors import NotFound, NotPermitted
from cbtc.network.access import user_has_permission_in
from cbtc.network.models import User
from cbtc.network.roles import Permission


def actor_of(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # noqa: S101  # the policy middleware let only staff through
    return request.user


def record_or_404(
    request: HttpRequest,
    client_id: object,
    channel: DisclosureChannel = DisclosureChannel.VIEW,
    for_action: Permission | None = None,
) -> ClientRecord:
    """The record as the actor may see it; 404 when they may not know it exists. With ``for_action``, 403
    (before anything is disclosed) unless the actor may make that change for the owning organisation."""
    try:
        return client_get_for_actor(
            actor=actor_of(request), client_id=client_id, channel=channel, for_action=for_action
        )
    except NotFound as exc:
        raise Http404("No such client.") from exc
    except NotPermitted as exc:
        raise PermissionDenied(exc.message) from exc


__all__ = ["NOT_OWNER", "actor_of", "may_in_owner", "record_or_404", "scheme_name"]


def scheme_name(record: ClientRecord) -> str:
    """The name of the scheme that made the client's code, for the page header."""
    try:
        return get_scheme(record.client.uic_scheme).name
    except UicError:  # a scheme no longer configured: its code is all there is to show
        return record.client.uic_scheme


def may_in_owner(request: HttpRequest, record: ClientRecord, permission: Permission) -> bool:
    """Whether the actor holds ``permission`` in the organisation that registered the client."""
    return record.access.owner and user_has_permission_in(actor_of(request), permission, record.client.organisation)
