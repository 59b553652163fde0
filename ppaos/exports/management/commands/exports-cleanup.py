from django.core.management.base import BaseCommand

from ppaos.exports.services import export_cleanup


class Command(BaseCommand):
    help = "Delete expired export files (PPAOS_EXPORT_KEEP_HOURS) and week-old export jobs."

    def handle(self, *args, **options):
        removed = export_cleanup()
        self.stdout.write(f"{removed} expired export file(s) removed")
