"""The two models of the admin change list benchmark, as a Django user writes them."""

from django.db import models


class Category(models.Model):
    name = models.CharField(max_length=50)

    def __str__(self):
        return self.name

    class Meta:
        app_label = "shop"
        verbose_name_plural = "categories"


class Product(models.Model):
    name = models.CharField(max_length=100)
    sku = models.CharField(max_length=20, unique=True)
    # Indexed, as in bench/crud (drf_app.py and Volt's models): the list is ordered by it.
    price = models.DecimalField(max_digits=10, decimal_places=2, db_index=True)
    stock = models.IntegerField()
    # A ForeignKey is indexed by Django (category_id), which the change list's filter uses.
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="products")
    created = models.DateTimeField()

    def __str__(self):
        return self.name

    class Meta:
        app_label = "shop"
