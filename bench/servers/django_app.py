r"""The four benchmark routes as a minimal single-file Django project.

Served by gunicorn with one sync worker::

    /usr/bin/gunicorn --workers 1 --worker-class sync --chdir bench/servers \
        --bind 127.0.0.1:3004 django_app:application

DEBUG is off, ALLOWED_HOSTS is 127.0.0.1 and the middleware list is empty
(no sessions, CSRF or auth: none of the routes needs them), which is the
fastest configuration Django offers. The POST body and the query are parsed
and validated by hand, as a plain Django view does.
"""

import json
import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import HttpResponse, JsonResponse
from django.urls import path
from django.views.decorators.http import require_GET, require_POST

settings.configure(
    DEBUG=False,
    ALLOWED_HOSTS=["127.0.0.1"],
    SECRET_KEY=os.environ.get("SECRET_KEY", "bench-only-" + "x" * 50),
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[],
    INSTALLED_APPS=[],
    DATABASES={},
    USE_TZ=True,
)

HELLO = "Hello, World!"


def problem(status, detail, errors=None):
    """An RFC 9457 problem response."""
    body = {"status": status, "detail": detail, "errors": errors or []}
    return JsonResponse(
        body, status=status, content_type="application/problem+json"
    )


@require_GET
def plaintext(request):
    return HttpResponse(HELLO, content_type="text/plain; charset=utf-8")


@require_GET
def json_message(request):
    return JsonResponse({"message": HELLO})


def field_error(field, msg):
    """One entry of a problem's ``errors`` list."""
    return {"loc": ["body", field], "msg": msg}


def validate_item(data):
    """Checks an item: name 1..100 characters, price > 0, <= 10 string tags."""
    if not isinstance(data, dict):
        return None, [{"loc": ["body"], "msg": "Input should be an object"}]
    errors = []
    name = data.get("name")
    price = data.get("price")
    tags = data.get("tags")
    if not isinstance(name, str):
        errors.append(field_error("name", "Input should be a string"))
    elif not 1 <= len(name) <= 100:
        errors.append(field_error("name", "1 to 100 characters"))
    if isinstance(price, bool) or not isinstance(price, (int, float)):
        errors.append(field_error("price", "Input should be a number"))
    elif not price > 0:
        errors.append(field_error("price", "Input should be > 0"))
    if tags is not None:
        if not isinstance(tags, list):
            errors.append(field_error("tags", "Input should be a list"))
        elif len(tags) > 10 or not all(isinstance(t, str) for t in tags):
            errors.append(field_error("tags", "At most 10 strings"))
    if errors:
        return None, errors
    return {"name": name, "price": price, "tags": tags or []}, None


@require_POST
def create_item(request):
    if not request.content_type == "application/json":
        return problem(415, "Send application/json.")
    try:
        data = json.loads(request.body)
    except ValueError:
        return problem(400, "The request body is not valid JSON.")
    item, errors = validate_item(data)
    if errors:
        return problem(422, "Invalid item.", errors)
    return JsonResponse(item)


def client(request):
    """The dependency of /users/<id>: who is calling, from x-client."""
    name = request.headers.get("x-client")
    if name is None:
        return {"name": "anonymous"}
    return {"name": name} if len(name) <= 40 else None


BOOLEANS = {"true": True, "false": False}


@require_GET
def get_user(request, user_id):
    errors = []
    if user_id < 1:
        errors.append({"loc": ["path", "id"], "msg": "Input should be >= 1"})
    verbose = BOOLEANS.get(request.GET.get("verbose", "false"))
    if verbose is None:
        errors.append({"loc": ["query", "verbose"], "msg": "Not a boolean"})
    caller = client(request)
    if caller is None:
        errors.append({"loc": ["header", "x-client"], "msg": "Too long"})
    if errors:
        return problem(422, "Invalid request.", errors)
    return JsonResponse(
        {"id": user_id, "verbose": verbose, "client": caller["name"]}
    )


urlpatterns = [
    path("plaintext", plaintext),
    path("json", json_message),
    path("items", create_item),
    path("users/<int:user_id>", get_user),
]

application = get_wsgi_application()
