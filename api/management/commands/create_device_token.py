from allauth.socialaccount.models import SocialAccount
from django.core.management.base import BaseCommand, CommandError

from api import services


class Command(BaseCommand):
    help = "Create a device API token for the person with a Kuaishou open_id; print only the token."

    def add_arguments(self, parser):
        parser.add_argument("--open-id", required=True, help="The person's Kuaishou open_id.")
        parser.add_argument("--name", required=True, help="The device's name, as the Devices page shows it.")

    def handle(self, *args, open_id, name, **options):
        name = name.strip()
        if not name or len(name) > 64:
            raise CommandError("--name must be 1 to 64 characters.")
        account = SocialAccount.objects.filter(provider="kuaishou", uid=open_id).select_related("user").first()
        if account is None:
            raise CommandError(f"Nobody has logged in with the Kuaishou open_id {open_id!r}.")
        try:
            _token, raw = services.device_token_create(owner=account.user, name=name)
        except services.TooManyDeviceTokens as exc:
            raise CommandError(str(exc)) from None
        # Only the token on stdout, so that provisioning scripts can capture it.
        self.stdout.write(raw)
