from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ppaos.rollup import package, services, signing


class Command(BaseCommand):
    help = (
        "National roll-up without personal data. On a province: `keygen` (an Ed25519 key "
        "pair, 0600), `export` (the signed package of the province's protected figures). On "
        "the national installation: `trust` (register a province's public key), `import` "
        "(verify and load a package; the same package twice changes nothing)."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        keygen = sub.add_parser("keygen", help="write KEY and KEY.pub (mode 0600)")
        keygen.add_argument("key", help="path of the private key file to write")
        keygen.add_argument("--force", action="store_true", help="replace existing files")
        export = sub.add_parser("export", help="write the province's signed package")
        export.add_argument(
            "--out", default="", help="file to write (default: rollup-PP-YYYY-MM.json)"
        )
        export.add_argument(
            "--province", default="", help="DOPA code (default: PPAOS_HOME_PROVINCE)"
        )
        export.add_argument("--period", default="", help="YYYY-MM (default: the refresh's month)")
        export.add_argument("--key", default="", help="private key file (default: the setting)")
        trust = sub.add_parser("trust", help="register a province's public key")
        trust.add_argument("province", help="DOPA code of the province, e.g. 10")
        trust.add_argument("public_key", help="the province's KEY.pub file")
        trust.add_argument("--note", default="")
        load = sub.add_parser("import", help="verify and load a package")
        load.add_argument("file")

    def handle(self, *args, action: str, **options):
        try:
            getattr(self, f"_{action}")(**options)
        except (services.RollupError, package.PackageError, signing.KeyFileError) as error:
            raise CommandError(str(error)) from None

    def _keygen(self, *, key: str, force: bool, **_options):
        private, public = signing.keypair_write(Path(key), force=force)
        fingerprint = signing.fingerprint(signing.public_key_parse(public.read_bytes()))
        self.stdout.write(f"Wrote {private} and {public} (0600); fingerprint {fingerprint}.")

    def _export(self, *, out: str, province: str, period: str, key: str, **_options):
        result = services.rollup_export(
            out=Path(out) if out else None,
            province_code=province or None,
            period=period or None,
            key_file=key or None,
        )
        self.stdout.write(
            f"Wrote {result.path}: {result.areas} areas, period {result.period}, "
            f"sha256 {result.digest}."
        )

    def _trust(self, *, province: str, public_key: str, note: str, **_options):
        try:
            pem = Path(public_key).read_text(encoding="ascii")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"{public_key}: {error}") from None
        record = services.province_key_register(
            province_code=province, public_key_pem=pem, note=note
        )
        self.stdout.write(f"Trusted key {record.fingerprint} for province {province}.")

    def _import(self, *, file: str, **_options):
        result = services.rollup_import(path=Path(file))
        p = result.package
        if not result.created:
            self.stdout.write(f"Already imported ({p}): nothing changed.")
            return
        state = "now current" if result.current else "kept as history (a newer one is current)"
        self.stdout.write(
            f"Imported {p.areas_count} areas of province {p.province_code}, period "
            f"{p.period:%Y-%m}: {state}."
        )
