from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from confidential import keys, stored
from confidential.fields import encrypted_fields


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored secret with the first key of TOKEN_ENCRYPTION_KEYS. "
        "First says which rows need which key; --check only says it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="only report which rows need which key")

    def handle(self, *args, check=False, **options):
        uses = stored.keys_in_use()
        for line in stored.describe(uses) or ["No stored secrets."]:
            self.stdout.write(line)
        if any(not use.readable for use in uses):
            raise CommandError("Some rows need a key that TOKEN_ENCRYPTION_KEYS does not hold (MISSING above): "
                               "add it after the first key and run this again.")
        if check:
            return
        first = next(iter(keys.configured()))
        for model, name in encrypted_fields():
            count = 0
            with transaction.atomic():
                # Row locks: a refresh must not rotate a token between our read and our write.
                rows = model._default_manager.select_for_update().exclude(**{name: ""}).only("pk", name)
                for row in rows.iterator():
                    # Reading decrypts with any key; saving encrypts with the first.
                    row.save(update_fields=[name])
                    count += 1
            self.stdout.write(f"{model._meta.label}.{name}: re-encrypted {count} row(s) with key {first}")
        self.stdout.write(self.style.SUCCESS("Done. Keys other than the first may now be removed."))
