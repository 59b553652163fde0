from django.contrib import admin

from ppaos.ops.models import PeriodicRun


@admin.register(PeriodicRun)
class PeriodicRunAdmin(admin.ModelAdmin):
    """Read-only: the scheduler and the worker write these rows."""

    list_display = ["job", "slot", "status", "started_at", "finished_at", "message"]
    list_filter = ["job", "status"]
    date_hierarchy = "slot"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
