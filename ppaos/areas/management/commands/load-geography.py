from django.core.management.base import BaseCommand

from ppaos.areas.services import geography_load


class Command(BaseCommand):
    help = "Load all provinces, districts and subdistricts of Thailand from the geothai package."

    def handle(self, *args, **options):
        provinces, districts, subdistricts = geography_load()
        self.stdout.write(
            f"Geography loaded: {provinces} provinces, {districts} districts, "
            f"{subdistricts} subdistricts."
        )
