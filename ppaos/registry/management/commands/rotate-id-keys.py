"""`ppaos rotate-id-keys`: re-encrypt every stored national ID, phone number and health
text (EncryptedTextField) with the current key."""

from django.core.management.base import BaseCommand

from ppaos.registry.services import id_keys_rotate


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored national ID, phone number and chronic illness with the first "
        "key of PPAOS_ID_KEYS and recompute ID lookup hashes with PPAOS_ID_HASH_KEY, in "
        "batches. Run it after putting a new key first; remove the old key only after it has "
        "finished."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=2000)

    def handle(self, *args, batch_size: int, **options):
        def progress(label: str, count: int) -> None:
            if options["verbosity"] > 1:
                self.stdout.write(f"  {label}: {count}")

        done = id_keys_rotate(batch_size=max(1, batch_size), progress=progress)
        for label, count in done.items():
            what = "values" if label.count(".") > 1 else "national IDs"
            self.stdout.write(f"{label}: {count} {what} re-encrypted")
