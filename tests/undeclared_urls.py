"""A URL configuration with one page and one API operation that declare no access policy.

Used by the access-matrix tests to prove that deny-by-default holds at run time, not only by convention.
"""

from django.http import HttpRequest, HttpResponse
from django.urls import path
from ninja import NinjaAPI

from cbtc.api_routing import PolicyRouter
from cbtc.urls import api_urlpatterns
from cbtc.urls import urlpatterns as real_urlpatterns


def undeclared_page(request: HttpRequest) -> HttpResponse:
    return HttpResponse("this must never be served")


undeclared_api = NinjaAPI(urls_namespace="undeclared-api", docs_url=None, default_router=PolicyRouter())


@undeclared_api.get("/secret")
def undeclared_operation(request: HttpRequest) -> dict[str, str]:
    return {"leak": "this must never be served"}


urlpatterns = [
    path("undeclared/", undeclared_page),
    path("undeclared-api/", api_urlpatterns(undeclared_api)),
    *real_urlpatterns,
]
