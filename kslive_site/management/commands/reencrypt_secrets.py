from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from kslive_site.crypto import EncryptedTextField


class Command(BaseCommand):
    help = "Re-encrypt every stored secret with the first key of TOKEN_ENCRYPTION_KEYS."

    def handle(self, *args, **options):
        for model in apps.get_models():
            fields = [f.name for f in model._meta.get_fields() if isinstance(f, EncryptedTextField)]
            if not fields:
                continue
            count = 0
            with transaction.atomic():
                # Reading decrypts with any key; saving encrypts with the first.
                for row in model.objects.select_for_update().only("pk", *fields).iterator():
                    row.save(update_fields=fields)
                    count += 1
            self.stdout.write(f"{model._meta.label}: re-encrypted {count} row(s)")
        self.stdout.write(self.style.SUCCESS("Done. Keys other than the first may now be removed."))
