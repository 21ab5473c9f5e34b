import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from accounts.models import KuaishouCredential
from tests.fixtures import make_credential
from confidential.fields import UndecryptableError

pytestmark = pytest.mark.django_db


def raw_tokens():
    with connection.cursor() as cursor:
        cursor.execute("SELECT access_token, refresh_token FROM accounts_kuaishoucredential")
        return cursor.fetchall()


def test_tokens_are_not_readable_in_the_database_as_plain_text():
    make_credential("owner", access_token="plain-access-token", refresh_token="plain-refresh-token")

    ((access, refresh),) = raw_tokens()

    assert "plain-access-token" not in access
    assert "plain-refresh-token" not in refresh
    assert KuaishouCredential.objects.get().access_token == "plain-access-token"


def test_reencrypting_moves_every_token_to_the_first_key(settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.TOKEN_ENCRYPTION_KEYS = [old]
    make_credential("owner", access_token="access-1", refresh_token="refresh-1")
    settings.TOKEN_ENCRYPTION_KEYS = [new, old]

    call_command("reencrypt_secrets", stdout=open("/dev/null", "w"))

    ((access, refresh),) = raw_tokens()
    assert Fernet(new.encode()).decrypt(access.encode()) == b"access-1"
    assert Fernet(new.encode()).decrypt(refresh.encode()) == b"refresh-1"
    settings.TOKEN_ENCRYPTION_KEYS = [new]
    assert KuaishouCredential.objects.get().refresh_token == "refresh-1"


def test_a_token_whose_key_was_removed_fails_with_a_clear_error(settings):
    settings.TOKEN_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    make_credential("owner")
    settings.TOKEN_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]

    with pytest.raises(UndecryptableError, match="TOKEN_ENCRYPTION_KEYS"):
        KuaishouCredential.objects.get()
