"""Django's ORM on the benchmark's SQLite file: the same shapes as bench/orm/run.ts.

Usage: /usr/bin/python3 bench/orm/django_bench.py <sqlite file> '<json plan>'
The plan: {"seed": int, "ops": {"get": n, "in20": n, "page": n, "bulk": n, "update": n, ...}}.
Prints one JSON object: microseconds per operation for each shape.
"""
import json
import random
import sys
import time

import django
from django.conf import settings

DB_FILE = sys.argv[1]
PLAN = json.loads(sys.argv[2])

settings.configure(
    DEBUG=False,
    INSTALLED_APPS=[],
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": DB_FILE}},
    USE_TZ=True,
)
django.setup()

from django.db import connection, models, transaction  # noqa: E402
from django.db.models import F  # noqa: E402


class Author(models.Model):
    name = models.CharField(max_length=100, unique=True)

    class Meta:
        app_label = "bench"
        db_table = "bench_author"
        managed = False


class Book(models.Model):
    title = models.CharField(max_length=200)
    price = models.IntegerField()
    author = models.ForeignKey(Author, on_delete=models.CASCADE)

    class Meta:
        app_label = "bench"
        db_table = "bench_book"
        managed = False


ROWS = 10_000
rng = random.Random(PLAN["seed"])


def timed(n, op, warm):
    for _ in range(warm):
        op()
    start = time.perf_counter()
    for _ in range(n):
        op()
    return (time.perf_counter() - start) / n * 1e6


def get_one():
    Book.objects.get(pk=rng.randint(1, ROWS))


def in20():
    ids = [rng.randint(1, ROWS) for _ in range(20)]
    list(Book.objects.filter(id__in=ids))


def page():
    list(Book.objects.select_related("author").filter(price__gt=rng.randint(0, 5000)).order_by("title")[:50])


def update():
    start = rng.randint(1, ROWS - 99)
    Book.objects.filter(id__range=(start, start + 99)).update(price=rng.randint(0, 10000))


def decrement():
    pk = rng.randint(1, ROWS)
    Book.objects.filter(pk=pk, price__gte=1).update(price=F("price") - 1)


def bulk_update():
    # 20 distinct keys, each row its own price, as run.ts sends them.
    start = rng.randint(1, ROWS - 200)
    books = [Book(id=start + 10 * j, price=rng.randint(0, 10000)) for j in range(20)]
    Book.objects.bulk_update(books, ["price"])


def locked():
    pk = rng.randint(1, ROWS)
    with transaction.atomic():
        book = Book.objects.select_for_update().get(pk=pk)
        Book.objects.filter(pk=pk).update(price=book.price + 1)


ops = PLAN["ops"]
result = {
    "get": timed(ops["get"], get_one, ops["get"] // 10),
    "in20": timed(ops["in20"], in20, ops["in20"] // 10),
    "page": timed(ops["page"], page, ops["page"] // 10),
    "update": timed(ops["update"], update, ops["update"] // 10),
    "decrement": timed(ops["decrement"], decrement, ops["decrement"] // 10),
    "locked": timed(ops["locked"], locked, ops["locked"] // 10),
    "bulkUpdate": timed(ops["bulkUpdate"], bulk_update, ops["bulkUpdate"] // 10),
}


# The bulk insert is timed without the clean-up delete.
def bulk_timed(n):
    total = 0.0
    for i in range(n + 1):
        start = time.perf_counter()
        with transaction.atomic():
            Book.objects.bulk_create(
                [Book(title=f"Bulk {j}", price=j, author_id=j % 100 + 1) for j in range(1000)]
            )
        elapsed = time.perf_counter() - start
        Book.objects.filter(id__gt=ROWS).delete()
        if i > 0:
            total += elapsed
    return total / n * 1e6


result["bulk"] = bulk_timed(ops["bulk"])
connection.close()
print(json.dumps(result))
