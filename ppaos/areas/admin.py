from django.contrib import admin

from ppaos.areas.models import (
    Community,
    District,
    LocalGovernment,
    Province,
    Subdistrict,
    Village,
)


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):
    search_fields = ["code", "name_th", "name_en"]


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["code", "name_th", "name_en"]
    search_fields = ["code", "name_th", "name_en"]


@admin.register(Subdistrict)
class SubdistrictAdmin(admin.ModelAdmin):
    list_display = ["code", "name_th", "name_en", "postal_code"]
    search_fields = ["code", "name_th", "name_en"]


@admin.register(Community)
class CommunityAdmin(admin.ModelAdmin):
    list_display = ["code", "name_th", "subdistrict", "community_type"]
    list_filter = ["community_type"]
    search_fields = ["code", "name_th", "name_en"]
    autocomplete_fields = ["subdistrict", "village", "local_government"]


@admin.register(LocalGovernment)
class LocalGovernmentAdmin(admin.ModelAdmin):
    """Loaded by `ppaos onboard-province` from the DLA list; edit the file, not here."""

    list_display = ["code", "name_th", "kind", "province"]
    list_filter = ["kind", "province"]
    search_fields = ["code", "name_th", "name_en"]


@admin.register(Village)
class VillageAdmin(admin.ModelAdmin):
    list_display = ["code", "moo", "name_th", "subdistrict", "local_government"]
    search_fields = ["code", "name_th"]
    autocomplete_fields = ["subdistrict", "local_government"]
