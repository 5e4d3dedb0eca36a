"""What every client page needs: the acting member of staff and the record as they may see it."""

from __future__ import annotations

from django.http import Http404, HttpRequest

from cbtc.clients.selectors import ClientRecord, client_get_for_actor
from cbtc.clients.uic import UicError, get_scheme
from cbtc.consent.models import DisclosureChannel
from cbtc.errors import NotFound
from cbtc.network.access import user_has_permission_in
from cbtc.network.models import User
from cbtc.network.roles import Permission

NOT_OWNER = "Only the service that registered this client can do this."


def actor_of(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # noqa: S101  # the policy middleware let only staff through
    return request.user


def record_or_404(
    request: HttpRequest, client_id: object, channel: DisclosureChannel = DisclosureChannel.VIEW
) -> ClientRecord:
    """The record as the actor may see it; 404 when they may not know it exists."""
    try:
        return client_get_for_actor(actor=actor_of(request), client_id=client_id, channel=channel)
    except NotFound as exc:
        raise Http404("No such client.") from exc


def scheme_name(record: ClientRecord) -> str:
    """The name of the scheme that made the client's code, for the page header."""
    try:
        return get_scheme(record.client.uic_scheme).name
    except UicError:  # a scheme no longer configured: its code is all there is to show
        return record.client.uic_scheme


def may_in_owner(request: HttpRequest, record: ClientRecord, permission: Permission) -> bool:
    """Whether the actor holds ``permission`` in the organisation that registered the client."""
    return record.access.owner and user_has_permission_in(actor_of(request), permission, record.client.organisation)
