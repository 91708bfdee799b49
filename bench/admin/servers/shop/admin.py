"""The change list under test: a ModelAdmin as the benchmark's request needs it."""

import os

from django.contrib import admin

from .models import Product


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["name", "sku", "price", "stock", "category"]
    list_filter = ["category"]
    search_fields = ["name", "sku"]
    list_select_related = ["category"]
    ordering = ["-price"]
    # 100 for the benchmark; the runner's statement count sets it to 20 as well.
    list_per_page = int(os.environ.get("ADMIN_PER_PAGE", "100"))
    # No second COUNT of the whole table; the filtered COUNT (paginator.count) always runs.
    show_full_result_count = False
