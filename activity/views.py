"""HTTP glue for the admins' activity page (members get 404, as for anything not theirs)."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from activity.exceptions import ActivityNotFound
from activity.forms import ActivityFilterForm
from activity.selectors import activity_page
from mediahub.http import AuthedRequest


@require_http_methods(["GET"])
def activity_list(request: AuthedRequest) -> HttpResponse:
    if not request.user.is_admin:
        raise ActivityNotFound
    filters = ActivityFilterForm(request.GET)
    if not filters.is_valid():
        return render(request, "activity/list.html", {"filters": filters, "page": None}, status=400)
    data = filters.cleaned_data
    page = activity_page(actor=data["user"], action=data["action"], cursor=request.GET.get("cursor"))
    state = request.GET.copy()
    state.pop("cursor", None)
    return render(request, "activity/list.html", {"filters": filters, "page": page, "state": state.urlencode()})
