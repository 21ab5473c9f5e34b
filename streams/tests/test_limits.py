"""Per person: a bounded number of new lives an hour and of device tokens; nothing big read
from someone who is not logged in."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.http.multipartparser import MultiPartParser

from api import services as api_services
from streams.models import LiveSession
from tests.helpers import form_data
from streams.tests.images import jpeg

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_an_hour(settings):
    settings.KSLIVE_GO_LIVES_PER_HOUR = 3


def api_go_live(client, token, **headers):
    return client.post("/api/v1/live-sessions", {"cover": jpeg(), "caption": "湖边"},
                       headers={"Authorization": f"Bearer {token}", **headers})


def test_lives_started_on_the_page_and_through_the_api_count_together(signed_in, person, kuaishou, three_an_hour,
                                                                       monkeypatch):
    token = api_services.device_token_create(owner=person, name="drone")[1]
    signed_in.post("/live/new/", form_data())
    api_go_live(signed_in, token)
    signed_in.post("/live/new/", form_data())
    import streams.covers

    monkeypatch.setattr(streams.covers, "make_cover", lambda *a, **k: pytest.fail("the cover was decoded"))

    page = signed_in.post("/live/new/", form_data())
    api = api_go_live(signed_in, token)

    assert page.status_code == 429 and int(page["Retry-After"]) > 3000
    assert "下一场" in page.content.decode()
    assert api.status_code == 429 and api.json()["error"]["code"] == "go_live_rate_limited"
    assert int(api["Retry-After"]) > 3000
    assert LiveSession.objects.count() == 3
    assert len(kuaishou.requests(endpoint="pushUrls")) == 3


def test_repeating_a_submit_is_never_limited(signed_in, person, kuaishou, three_an_hour):
    token = api_services.device_token_create(owner=person, name="drone")[1]
    for key in ("a", "b", "c"):
        assert api_go_live(signed_in, token, **{"Idempotency-Key": key}).status_code == 201

    again = api_go_live(signed_in, token, **{"Idempotency-Key": "b"})

    assert again.status_code == 201
    assert len(kuaishou.requests(endpoint="pushUrls")) == 3


def test_the_go_live_page_says_when_the_next_live_may_start(signed_in, kuaishou, three_an_hour):
    for _ in range(3):
        signed_in.post("/live/new/", form_data())

    page = signed_in.get("/live/new/").content.decode()

    assert "下一场" in page
    assert 'name="cover"' not in page


def test_a_person_holds_a_bounded_number_of_device_tokens(signed_in, person, settings):
    settings.KSLIVE_DEVICE_TOKENS_PER_PERSON = 2
    for name in ("one", "two"):
        api_services.device_token_create(owner=person, name=name)

    page = signed_in.post("/devices/", {"name": "three"}).content.decode()

    assert "撤销一个不再使用的令牌" in page
    assert person.device_tokens.count() == 2
    with pytest.raises(CommandError, match="每人的上限"):
        call_command("create_device_token", open_id=person.socialaccount_set.get().uid, name="three",
                     stdout=io.StringIO())
    api_services.device_token_revoke(token=person.device_tokens.first())
    assert signed_in.post("/devices/", {"name": "three"}).status_code == 200
    assert person.device_tokens.filter(revoked_at__isnull=True).count() == 2


def test_a_large_body_from_someone_not_logged_in_is_not_read(client, monkeypatch):
    monkeypatch.setattr(MultiPartParser, "parse", lambda self: pytest.fail("the body was parsed"))
    big = io.BytesIO(b"\xff" * (5 * 1024 * 1024))
    big.name = "cover.jpg"

    response = client.post("/live/new/", {"cover": big, "caption": "x"})

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert response["Connection"] == "close"


def test_a_small_form_from_someone_not_logged_in_still_works(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})

    assert response.status_code == 302
