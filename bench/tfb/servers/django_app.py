r"""The TechEmpower test types as a minimal single-file Django project.

Served by gunicorn with one sync worker::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/volt_tfb /usr/bin/gunicorn --workers 1 \
        --worker-class sync --chdir bench/tfb/servers --bind 127.0.0.1:3004 django_app:application

DEBUG is off, no middleware, one persistent connection (CONN_MAX_AGE=None) through psycopg2.
The tables are the ORM models World and Fortune (``db_table``); the updates are one
``bulk_update``; the fortunes page is a Django template (templates/fortunes.html), escaped by
Django's autoescaping. gunicorn sends the Server and Date headers.
"""

import os
import random
from urllib.parse import parse_qsl, urlsplit

import django
from django.conf import settings

URL = urlsplit(os.environ["DATABASE_URL"])
HERE = os.path.dirname(os.path.abspath(__file__))

settings.configure(
    DEBUG=False,
    ALLOWED_HOSTS=["127.0.0.1"],
    SECRET_KEY=os.environ.get("SECRET_KEY", "bench-only-" + "x" * 50),
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[],
    INSTALLED_APPS=[],
    DATABASES={
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": URL.path.lstrip("/"),
            "USER": URL.username or "postgres",
            "PASSWORD": URL.password or "",
            "HOST": URL.hostname or "127.0.0.1",
            "PORT": str(URL.port or 5432),
            "CONN_MAX_AGE": None,
            # The URL's parameters (application_name) go to libpq as they are.
            "OPTIONS": dict(parse_qsl(URL.query)),
        }
    },
    TEMPLATES=[
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "DIRS": [os.path.join(HERE, "templates")],
        }
    ],
    DEFAULT_AUTO_FIELD="django.db.models.AutoField",
    USE_TZ=True,
)
django.setup()

from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.db import models  # noqa: E402
from django.http import HttpResponse, JsonResponse  # noqa: E402
from django.shortcuts import render  # noqa: E402
from django.urls import path  # noqa: E402


class World(models.Model):
    randomnumber = models.IntegerField()

    class Meta:
        app_label = "tfb"
        db_table = "world"


class Fortune(models.Model):
    message = models.CharField(max_length=2048)

    class Meta:
        app_label = "tfb"
        db_table = "fortune"


def clamp(text):
    """How many rows a request asks for: a number clamped to 1..500; anything else is 1."""
    try:
        n = int(text)
    except (TypeError, ValueError):
        return 1
    return min(max(n, 1), 500)


def random_id():
    return random.randint(1, 10000)


def as_json(world):
    return {"id": world.id, "randomNumber": world.randomnumber}


def json_message(request):
    return JsonResponse({"message": "Hello, World!"})


def plaintext(request):
    return HttpResponse(b"Hello, World!", content_type="text/plain")


def single_query(request):
    return JsonResponse(as_json(World.objects.get(id=random_id())))


def read_worlds(n):
    return [World.objects.get(id=random_id()) for _ in range(n)]


def queries(request):
    worlds = read_worlds(clamp(request.GET.get("queries")))
    return JsonResponse([as_json(w) for w in worlds], safe=False)


def updates(request):
    worlds = read_worlds(clamp(request.GET.get("queries")))
    for world in worlds:
        world.randomnumber = random_id()
    World.objects.bulk_update(worlds, ["randomnumber"])
    return JsonResponse([as_json(w) for w in worlds], safe=False)


cache = {}


def cached_queries(request):
    if not cache:
        # Filled on the first request: the worker opens its connection lazily.
        cache.update((w.id, as_json(w)) for w in World.objects.all())
    n = clamp(request.GET.get("count"))
    return JsonResponse([cache[random_id()] for _ in range(n)], safe=False)


def fortunes(request):
    rows = list(Fortune.objects.all())
    rows.append(Fortune(id=0, message="Additional fortune added at request time."))
    rows.sort(key=lambda fortune: fortune.message)
    return render(request, "fortunes.html", {"fortunes": rows})


urlpatterns = [
    path("json", json_message),
    path("plaintext", plaintext),
    path("db", single_query),
    path("queries", queries),
    path("updates", updates),
    path("cached-queries", cached_queries),
    path("fortunes", fortunes),
]

application = get_wsgi_application()
