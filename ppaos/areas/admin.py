from django.contrib import admin

from ppaos.areas.models import Community, District, Province, Subdistrict


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
    autocomplete_fields = ["subdistrict"]
