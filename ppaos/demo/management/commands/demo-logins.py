from django.core.management.base import BaseCommand

from ppaos.accounts.models import User
from ppaos.accounts.services import DEMO_PASSWORD


class Command(BaseCommand):
    help = "Print the demo accounts and what each one may see."

    def handle(self, *args, **options):
        users = User.objects.prefetch_related("role_assignments").order_by("id")
        self.stdout.write(
            "\nDemo logins (synthetic data only) — password for all: " + DEMO_PASSWORD
        )
        for user in users:
            for a in user.role_assignments.all():
                self.stdout.write(f"  {user.username:<14} {a}")
        self.stdout.write("")
