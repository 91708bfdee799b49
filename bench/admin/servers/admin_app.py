r"""Django's admin change list of the products, as a Django project serves it, in one file plus
the ``shop`` app (``shop/models.py``, ``shop/admin.py``).

django.contrib.admin with auth, contenttypes, sessions and messages, the default middleware
(security, sessions, common, CSRF, authentication, messages, clickjacking), DEBUG off (so the
templates go through the cached loader), one persistent SQLite connection. Served by gunicorn
with one sync worker::

    ADMIN_DB=/tmp/…/django.db /usr/bin/gunicorn --workers 1 --worker-class sync \
        --chdir bench/admin/servers --bind 127.0.0.1:3005 admin_app:application

Also a command line for the runner (bench/admin/run.ts)::

    ADMIN_DB=… python3 admin_app.py seed data.json   # tables (migrate), rows, a superuser;
                                                     # prints the session key of a logged-in session
    ADMIN_DB=… [ADMIN_PER_PAGE=20] python3 admin_app.py count SESSION PATH…
                                                     # the SQL of one GET of each path
"""

import json
import os
import sys
from datetime import datetime
from decimal import Decimal

import django
from django.conf import settings

settings.configure(
    DEBUG=False,
    ALLOWED_HOSTS=["127.0.0.1"],
    SECRET_KEY=os.environ.get("SECRET_KEY", "bench-only-" + "x" * 50),
    ROOT_URLCONF=__name__,
    INSTALLED_APPS=[
        "django.contrib.admin",
        "django.contrib.auth",
        "django.contrib.contenttypes",
        "django.contrib.sessions",
        "django.contrib.messages",
        "shop",
    ],
    MIDDLEWARE=[
        "django.middleware.security.SecurityMiddleware",
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.common.CommonMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "django.contrib.messages.middleware.MessageMiddleware",
        "django.middleware.clickjacking.XFrameOptionsMiddleware",
    ],
    TEMPLATES=[
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "APP_DIRS": True,
            "OPTIONS": {
                "context_processors": [
                    "django.template.context_processors.request",
                    "django.contrib.auth.context_processors.auth",
                    "django.contrib.messages.context_processors.messages",
                ]
            },
        }
    ],
    DATABASES={
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("ADMIN_DB", ""),
            "CONN_MAX_AGE": None,
        }
    },
    DEFAULT_AUTO_FIELD="django.db.models.AutoField",
    STATIC_URL="/static/",
    USE_TZ=True,
    LANGUAGE_CODE="en-us",
)
django.setup()

from django.contrib import admin  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.urls import path  # noqa: E402

urlpatterns = [path("admin/", admin.site.urls)]

application = get_wsgi_application()


def seed(data_file):
    """Creates every table in ADMIN_DB, loads the rows of data_file (bench/crud/data.ts), adds a
    superuser and a session of theirs; prints the session key (the `sessionid` cookie)."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import User
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.db import connection, transaction
    from shop.models import Category, Product

    with open(data_file, encoding="utf-8") as f:
        data = json.load(f)
    call_command("migrate", run_syncdb=True, verbosity=0, interactive=False)
    with transaction.atomic():
        Category.objects.bulk_create(Category(id=c["id"], name=c["name"]) for c in data["categories"])
        Product.objects.bulk_create(
            Product(
                id=p["id"],
                name=p["name"],
                sku=p["sku"],
                price=Decimal(p["price"]),
                stock=p["stock"],
                category_id=p["categoryId"],
                created=datetime.fromisoformat(p["created"].replace("Z", "+00:00")),
            )
            for p in data["products"]
        )
    user = User.objects.create_superuser("admin", "admin@example.com", "bench-password")
    # What django.contrib.auth.login() stores in the session.
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    with connection.cursor() as cursor:
        cursor.execute("analyze")
    print(session.session_key)


def count(session_key, paths):
    """Prints {path: [[sql, plan], …]} for one GET of each path, after one warm-up GET."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    client.cookies["sessionid"] = session_key
    counts = {}
    for p in paths:
        client.get(p)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(p)
        if response.status_code != 200:
            raise SystemExit(f"GET {p}: {response.status_code}")
        counts[p] = []
        for query in captured.captured_queries:
            with connection.cursor() as cursor:
                cursor.execute("explain query plan " + query["sql"])
                plan = " | ".join(str(row[-1]) for row in cursor.fetchall())
            counts[p].append([query["sql"], plan])
    print(json.dumps(counts))


if __name__ == "__main__":
    if sys.argv[1:2] == ["seed"]:
        seed(sys.argv[2])
    elif sys.argv[1:2] == ["count"]:
        count(sys.argv[2], sys.argv[3:])
    else:
        raise SystemExit("usage: admin_app.py seed DATA.json | count SESSION PATH…")
