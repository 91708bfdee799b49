r"""The products list as Django REST framework users write it, in one file.

A ModelViewSet with a ModelSerializer (the category nested by a CategorySerializer when
``expand=category``, ``categoryId`` from ``category_id``), django-filter's DjangoFilterBackend
(``filterset_fields = {'price': ['gte']}``), OrderingFilter (``ordering_fields = ['price']``,
the id appended, ascending, to break ties) and CursorPagination (50 a page, ``limit`` up to 100),
``select_related('category')`` when expanded. JSON renderer only, no authentication classes,
AllowAny: the endpoint is public. Served by gunicorn with one sync worker::

    CRUD_DB=/tmp/…/drf.db /usr/bin/gunicorn --workers 1 --worker-class sync \
        --chdir bench/crud/servers --bind 127.0.0.1:3004 drf_app:application

DEBUG is off, no middleware, one persistent SQLite connection (CONN_MAX_AGE=None).

Also a command line for the runner (bench/crud/run.ts)::

    CRUD_DB=… [CRUD_PRICE_INDEX=0] python3 drf_app.py seed data.json   # the tables, the rows
    CRUD_DB=… python3 drf_app.py count PATH…   # the SQL of one GET of each path, with its plan
"""

import json
import os
import sys
from datetime import datetime, timezone
from decimal import Decimal

import django
from django.conf import settings

settings.configure(
    DEBUG=False,
    ALLOWED_HOSTS=["127.0.0.1"],
    SECRET_KEY=os.environ.get("SECRET_KEY", "bench-only-" + "x" * 50),
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[],
    INSTALLED_APPS=["rest_framework", "django_filters"],
    DATABASES={
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("CRUD_DB", ""),
            "CONN_MAX_AGE": None,
        }
    },
    DEFAULT_AUTO_FIELD="django.db.models.AutoField",
    USE_TZ=True,
    REST_FRAMEWORK={
        "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
        "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
        "DEFAULT_AUTHENTICATION_CLASSES": [],
        "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
        "UNAUTHENTICATED_USER": None,
    },
)
django.setup()

from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.db import models  # noqa: E402
from django.urls import include, path  # noqa: E402
from django_filters.rest_framework import DjangoFilterBackend  # noqa: E402
from rest_framework import filters, pagination, routers, serializers, viewsets  # noqa: E402


class Category(models.Model):
    name = models.CharField(max_length=50)

    class Meta:
        app_label = "crud"


class Product(models.Model):
    name = models.CharField(max_length=100)
    sku = models.CharField(max_length=20, unique=True)
    # Indexed, as the list is filtered and ordered by it (the runner's --no-index leaves it out).
    price = models.DecimalField(
        max_digits=10, decimal_places=2, db_index=os.environ.get("CRUD_PRICE_INDEX", "1") == "1"
    )
    stock = models.IntegerField()
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="products")
    created = models.DateTimeField()

    class Meta:
        app_label = "crud"


class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "name"]


class MillisecondDateTimeField(serializers.DateTimeField):
    """ISO 8601 in UTC with milliseconds and Z, as JavaScript's toISOString()."""

    def to_representation(self, value):
        text = value.astimezone(timezone.utc).isoformat(timespec="milliseconds")
        return text.replace("+00:00", "Z")


class ProductSerializer(serializers.ModelSerializer):
    categoryId = serializers.IntegerField(source="category_id", read_only=True)
    created = MillisecondDateTimeField()

    class Meta:
        model = Product
        fields = ["id", "name", "sku", "price", "stock", "categoryId", "created"]


class ExpandedProductSerializer(ProductSerializer):
    category = CategorySerializer(read_only=True)

    class Meta(ProductSerializer.Meta):
        fields = ProductSerializer.Meta.fields + ["category"]


class TieBreakOrderingFilter(filters.OrderingFilter):
    """The requested ordering, then the id (ascending, as Volt's resource): a total order."""

    def get_ordering(self, request, queryset, view):
        return [*super().get_ordering(request, queryset, view), "id"]


class ProductPagination(pagination.CursorPagination):
    page_size = 50
    page_size_query_param = "limit"
    max_page_size = 100
    ordering = "-id"


class ProductViewSet(viewsets.ModelViewSet):
    queryset = Product.objects.all()
    filter_backends = [DjangoFilterBackend, TieBreakOrderingFilter]
    filterset_fields = {"price": ["gte"]}
    ordering_fields = ["price"]
    ordering = ["-price"]
    pagination_class = ProductPagination

    def expanded(self):
        return self.request.query_params.get("expand") == "category"

    def get_queryset(self):
        queryset = super().get_queryset()
        return queryset.select_related("category") if self.expanded() else queryset

    def get_serializer_class(self):
        return ExpandedProductSerializer if self.expanded() else ProductSerializer


router = routers.SimpleRouter(trailing_slash=False)
router.register("api/products", ProductViewSet)
urlpatterns = [path("", include(router.urls))]

application = get_wsgi_application()


def seed(data_file):
    """Creates the two tables in CRUD_DB and loads the rows of data_file (bench/crud/data.ts)."""
    from django.db import connection, transaction

    with open(data_file, encoding="utf-8") as f:
        data = json.load(f)
    with connection.schema_editor() as editor:
        editor.create_model(Category)
        editor.create_model(Product)
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
    with connection.cursor() as cursor:
        cursor.execute("analyze")


def count(paths):
    """Prints {path: [[sql, plan], …]} for one GET of each path, after one warm-up GET."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
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
                plan = " | ".join(row[-1] for row in cursor.fetchall())
            counts[p].append([query["sql"], plan])
    print(json.dumps(counts))


if __name__ == "__main__":
    if sys.argv[1:2] == ["seed"]:
        seed(sys.argv[2])
    elif sys.argv[1:2] == ["count"]:
        count(sys.argv[2:])
    else:
        raise SystemExit("usage: drf_app.py seed DATA.json | count PATH…")
