import io

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import connection

from accounts.models import KuaishouCredential
from confidential import keys
from confidential.fields import UndecryptableError
from confidential.stored import refuse_unreadable_secrets
from tests.helpers import make_credential

pytestmark = pytest.mark.django_db


def raw_tokens():
    with connection.cursor() as cursor:
        cursor.execute("SELECT access_token, refresh_token FROM accounts_kuaishoucredential")
        return cursor.fetchall()


def new_key():
    return Fernet.generate_key().decode()


def run(*args):
    out = io.StringIO()
    call_command("reencrypt_secrets", *args, stdout=out)
    return out.getvalue()


def test_tokens_are_not_readable_in_the_database_as_plain_text():
    make_credential("owner", access_token="plain-access-token", refresh_token="plain-refresh-token")

    ((access, refresh),) = raw_tokens()

    assert "plain-access-token" not in access
    assert "plain-refresh-token" not in refresh
    assert KuaishouCredential.objects.get().access_token == "plain-access-token"


def test_a_stored_secret_names_the_key_that_encrypted_it(settings):
    key = new_key()
    settings.TOKEN_ENCRYPTION_KEYS = [key]
    make_credential("owner", access_token="access-1")

    ((access, _),) = raw_tokens()

    name, _, token = access.partition("$")
    assert name == keys.fingerprint(key)
    assert Fernet(key.encode()).decrypt(token.encode()) == b"access-1"


def test_reencrypting_moves_every_token_to_the_first_key(settings):
    old, new = new_key(), new_key()
    settings.TOKEN_ENCRYPTION_KEYS = [old]
    make_credential("owner", access_token="access-1", refresh_token="refresh-1")
    settings.TOKEN_ENCRYPTION_KEYS = [new, old]

    report = run()

    assert f"accounts.KuaishouCredential.access_token: 1 row(s) need key {keys.fingerprint(old)}" in report
    ((access, refresh),) = raw_tokens()
    assert access.startswith(keys.fingerprint(new) + "$") and refresh.startswith(keys.fingerprint(new) + "$")
    settings.TOKEN_ENCRYPTION_KEYS = [new]
    assert KuaishouCredential.objects.get().refresh_token == "refresh-1"


def test_secrets_stored_before_fingerprints_are_still_read_and_get_one_when_reencrypted(settings):
    key = new_key()
    settings.TOKEN_ENCRYPTION_KEYS = [key]
    credential = make_credential("owner", access_token="access-1")
    bare = Fernet(key.encode()).encrypt(b"access-old").decode()
    KuaishouCredential.objects.filter(pk=credential.pk).update(refresh_token="x")  # a fresh fingerprinted value
    with connection.cursor() as cursor:
        cursor.execute("UPDATE accounts_kuaishoucredential SET refresh_token = %s", [bare])

    assert KuaishouCredential.objects.get().refresh_token == "access-old"
    assert "need key (one of the keys: written before fingerprints)" in run("--check")
    run()
    assert raw_tokens()[0][1].startswith(keys.fingerprint(key) + "$")


def test_the_check_says_which_rows_need_which_key_and_changes_nothing(settings):
    old = new_key()
    settings.TOKEN_ENCRYPTION_KEYS = [old]
    make_credential("owner")
    before = raw_tokens()
    settings.TOKEN_ENCRYPTION_KEYS = [new_key()]

    with pytest.raises(CommandError, match="MISSING"):
        run("--check")

    assert raw_tokens() == before


def test_a_token_whose_key_was_removed_fails_with_a_clear_error(settings):
    old = new_key()
    settings.TOKEN_ENCRYPTION_KEYS = [old]
    make_credential("owner")
    settings.TOKEN_ENCRYPTION_KEYS = [new_key()]

    with pytest.raises(UndecryptableError, match=keys.fingerprint(old)):
        KuaishouCredential.objects.get()


def test_start_up_is_refused_when_stored_secrets_need_a_removed_key(settings):
    old = new_key()
    settings.TOKEN_ENCRYPTION_KEYS = [old]
    make_credential("owner")
    settings.TOKEN_ENCRYPTION_KEYS = [new_key()]

    with pytest.raises(ImproperlyConfigured) as refused:
        refuse_unreadable_secrets()

    message = str(refused.value)
    assert f"accounts.KuaishouCredential.access_token: 1 row(s) need key {keys.fingerprint(old)} (MISSING)" in message
    assert "reencrypt_secrets" in message


def test_start_up_goes_ahead_when_every_needed_key_is_there(settings):
    old, new = new_key(), new_key()
    settings.TOKEN_ENCRYPTION_KEYS = [old]
    make_credential("owner")
    settings.TOKEN_ENCRYPTION_KEYS = [new, old]

    refuse_unreadable_secrets()
