"""Staff management for service managers (their organisation) and system administrators (all)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cbtc.errors import NotFound, ServiceError
from cbtc.network.access import user_has_permission
from cbtc.network.forms import RoleAddForm, StaffCreateForm
from cbtc.network.models import Organisation, User
from cbtc.network.roles import ROLES_GRANTABLE_BY_SERVICE_MANAGER, Permission, Role
from cbtc.network.selectors import (
    managed_organisation_get,
    managed_staff_get,
    memberships_in,
    organisations_managed_by,
    staff_of_organisation,
)
from cbtc.network.services.staff import (
    membership_add,
    membership_remove,
    staff_create,
    staff_disable,
    staff_enable,
    staff_mfa_reset,
    staff_password_reset,
)
from cbtc.web.policy import requires

_STAFF_PAGE_SIZE = 50


def _grantable_roles(actor: User) -> list[Role]:
    if user_has_permission(actor, Permission.NETWORK_ADMINISTER):
        return list(Role)
    return [role for role in Role if role in ROLES_GRANTABLE_BY_SERVICE_MANAGER]


def _organisation(request: HttpRequest, organisation_id: str) -> Organisation:
    try:
        return managed_organisation_get(actor=request.user, organisation_id=organisation_id)
    except NotFound as exc:
        raise Http404("No such organisation among those you manage.") from exc


def _person(request: HttpRequest, organisation: Organisation, user_id: str) -> User:
    try:
        person = managed_staff_get(actor=request.user, user_id=user_id)
    except NotFound as exc:
        raise Http404("No such member of staff among those you manage.") from exc
    if not person.memberships.filter(organisation=organisation).exists():
        raise Http404("This person has no role in this organisation.")
    return person


def _actor(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # noqa: S101  # the policy middleware let only staff through
    return request.user


def _account_action(
    request: HttpRequest, organisation_id: str, user_id: str, action: Callable[..., None], done: str
) -> HttpResponse:
    """Disable, enable, reset a second factor: one service call on one person, then back to their page."""
    organisation = _organisation(request, organisation_id)
    person = _person(request, organisation, user_id)
    try:
        action(actor=_actor(request), user=person)
        messages.success(request, done.format(name=person.display_name))
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("network:staff_detail", organisation_id=organisation.pk, user_id=person.pk)


@requires(Permission.STAFF_MANAGE)
@require_GET
def staff_home_view(request: HttpRequest) -> HttpResponse:
    organisations = list(organisations_managed_by(actor=request.user)[:500])
    if len(organisations) == 1:
        return redirect("network:staff_list", organisation_id=organisations[0].pk)
    return render(request, "network/staff_home.html", {"organisations": organisations})


@requires(Permission.STAFF_MANAGE)
@require_GET
def staff_list_view(request: HttpRequest, organisation_id: str) -> HttpResponse:
    organisation = _organisation(request, organisation_id)
    paginator = Paginator(staff_of_organisation(actor=request.user, organisation=organisation), _STAFF_PAGE_SIZE)
    return render(
        request,
        "network/staff_list.html",
        {
            "organisation": organisation,
            "page": paginator.get_page(request.GET.get("page")),
        },
    )


@requires(Permission.STAFF_MANAGE)
@require_http_methods(["GET", "POST"])
def staff_create_view(request: HttpRequest, organisation_id: str) -> HttpResponse:
    actor = _actor(request)
    organisation = _organisation(request, organisation_id)
    form = StaffCreateForm(request.POST or None, roles=_grantable_roles(actor))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person, one_time = staff_create(
                actor=actor,
                organisation=organisation,
                role=Role(data["role"]),
                username=data["username"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
            )
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            # Shown once, on this response only: never stored, never in a URL or a message cookie.
            return render(
                request,
                "network/staff_password.html",
                {"organisation": organisation, "person": person, "password": one_time, "created": True},
            )
    return render(
        request,
        "network/staff_create.html",
        {"organisation": organisation, "form": form},
        status=400 if form.errors else 200,
    )


@requires(Permission.STAFF_MANAGE)
@require_GET
def staff_detail_view(request: HttpRequest, organisation_id: str, user_id: str) -> HttpResponse:
    organisation = _organisation(request, organisation_id)
    return _staff_detail(request, organisation, _person(request, organisation, user_id))


def _staff_detail(
    request: HttpRequest, organisation: Organisation, person: User, role_form: RoleAddForm | None = None
) -> HttpResponse:
    actor = _actor(request)
    roles_here = list(memberships_in(actor=actor, user=person, organisation=organisation))
    held = {m.role for m in roles_here}
    addable = [r for r in _grantable_roles(actor) if r.value not in held]
    if role_form is None:
        role_form = RoleAddForm(roles=addable)
    return render(
        request,
        "network/staff_detail.html",
        {
            "organisation": organisation,
            "person": person,
            "roles_here": roles_here,
            "role_form": role_form,
            "is_self": person.pk == actor.pk,
        },
        status=400 if role_form.errors else 200,
    )


@requires(Permission.STAFF_MANAGE)
@require_POST
def staff_role_add_view(request: HttpRequest, organisation_id: str, user_id: str) -> HttpResponse:
    actor = _actor(request)
    organisation = _organisation(request, organisation_id)
    person = _person(request, organisation, user_id)
    form = RoleAddForm(request.POST, roles=_grantable_roles(actor))
    if form.is_valid():
        role = Role(form.cleaned_data["role"])
        try:
            membership_add(actor=actor, user=person, organisation=organisation, role=role)
        except ServiceError as exc:
            form.add_error("role", exc.message)
        else:
            messages.success(request, f"{person.display_name} now also has the role {role.label}.")
            return redirect("network:staff_detail", organisation_id=organisation.pk, user_id=person.pk)
    return _staff_detail(request, organisation, person, role_form=form)


@requires(Permission.STAFF_MANAGE)
@require_POST
def staff_role_remove_view(
    request: HttpRequest, organisation_id: str, user_id: str, membership_id: str
) -> HttpResponse:
    actor = _actor(request)
    organisation = _organisation(request, organisation_id)
    person = _person(request, organisation, user_id)
    membership = memberships_in(actor=actor, user=person, organisation=organisation).filter(pk=membership_id).first()
    if membership is None:
        raise Http404("No such role.")
    try:
        membership_remove(actor=actor, membership=membership)
        messages.success(request, f"Role {membership.get_role_display()} removed.")
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("network:staff_detail", organisation_id=organisation.pk, user_id=person.pk)


@requires(Permission.STAFF_MANAGE)
@require_POST
def staff_disable_view(request: HttpRequest, organisation_id: str, user_id: str) -> HttpResponse:
    return _account_action(
        request,
        organisation_id,
        user_id,
        staff_disable,
        "{name} is disabled. Their sessions and API tokens have ended.",
    )


@requires(Permission.STAFF_MANAGE)
@require_POST
def staff_enable_view(request: HttpRequest, organisation_id: str, user_id: str) -> HttpResponse:
    return _account_action(request, organisation_id, user_id, staff_enable, "{name} can sign in again.")


@requires(Permission.STAFF_MANAGE)
@require_POST
def staff_password_reset_view(request: HttpRequest, organisation_id: str, user_id: str) -> HttpResponse:
    organisation = _organisation(request, organisation_id)
    person = _person(request, organisation, user_id)
    try:
        one_time = staff_password_reset(actor=_actor(request), user=person)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("network:staff_detail", organisation_id=organisation.pk, user_id=person.pk)
    return render(
        request,
        "network/staff_password.html",
        {"organisation": organisation, "person": person, "password": one_time, "created": False},
    )


@requires(Permission.STAFF_MANAGE)
@require_POST
def staff_mfa_reset_view(request: HttpRequest, organisation_id: str, user_id: str) -> HttpResponse:
    return _account_action(
        request, organisation_id, user_id, staff_mfa_reset, "{name} will set up an authenticator app at next sign-in."
    )
