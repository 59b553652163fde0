from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from ppaos.accounts.models import Organisation, RoleAssignment, User


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    autocomplete_fields = ["province", "district", "community", "organisation"]


@admin.register(User)
class PPAOSUserAdmin(UserAdmin):
    inlines = [RoleAssignmentInline]
    fieldsets = (*UserAdmin.fieldsets, ("PPAOS", {"fields": ("phone", "organisation")}))


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name_th", "kind", "district"]
    list_filter = ["kind"]
    search_fields = ["name_th", "name_en"]
