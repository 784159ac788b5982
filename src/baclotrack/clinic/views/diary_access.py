"""Give and take back diary access: the client's own login and personal links."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from baclotrack.clinic.access import get_client, get_link
from baclotrack.clinic.forms import GrantLoginForm
from baclotrack.clinic.services import diary_access as services
from baclotrack.clinic.views.helpers import actor_of, add_service_error, clinician_required
from baclotrack.core.errors import InputError


@clinician_required
def manage(request: HttpRequest, client_id: int) -> HttpResponse:
    client = get_client(request.user, client_id)
    context = {
        "client": client,
        "links": client.diary_links.all(),
        "login_form": GrantLoginForm(),
        "new_link": None,
    }
    return render(request, "clinic/access.html", context)


@clinician_required
@require_http_methods(["GET", "POST"])
def grant_login(request: HttpRequest, client_id: int) -> HttpResponse:
    client = get_client(request.user, client_id)
    form = GrantLoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.grant_client_login(actor_of(request), client, **form.cleaned_data)
        except InputError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The client can now sign in with this username."))
            return redirect("clinic:access", client_id=client.pk)
    context = {"client": client, "links": client.diary_links.all(), "login_form": form, "new_link": None}
    return render(request, "clinic/access.html", context)


@clinician_required
def revoke_login(request: HttpRequest, client_id: int) -> HttpResponse:
    client = get_client(request.user, client_id)
    if request.method != "POST":  # after the lookup: a foreign id is a 404 whatever the method
        return HttpResponseNotAllowed(["POST"])
    try:
        services.revoke_client_login(actor_of(request), client)
    except InputError as exc:
        messages.error(request, str(exc))
    return redirect("clinic:access", client_id=client.pk)


@clinician_required
def create_link(request: HttpRequest, client_id: int) -> HttpResponse:
    client = get_client(request.user, client_id)
    if request.method != "POST":  # after the lookup: a foreign id is a 404 whatever the method
        return HttpResponseNotAllowed(["POST"])
    _link, token = services.create_diary_link(actor_of(request), client)
    # The raw token is shown once, in this response, and stored nowhere (not even the session).
    new_link = request.build_absolute_uri(reverse("clinic:link_diary", args=[token]))
    context = {
        "client": client,
        "links": client.diary_links.all(),
        "login_form": GrantLoginForm(),
        "new_link": new_link,
    }
    return render(request, "clinic/access.html", context)


@clinician_required
def revoke_link(request: HttpRequest, link_id: int) -> HttpResponse:
    link = get_link(request.user, link_id)
    if request.method != "POST":  # after the lookup: a foreign id is a 404 whatever the method
        return HttpResponseNotAllowed(["POST"])
    try:
        services.revoke_diary_link(actor_of(request), link)
    except InputError as exc:
        messages.error(request, str(exc))
    return redirect("clinic:access", client_id=link.client_id)
