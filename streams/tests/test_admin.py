import pytest

from streams.models import LiveSession

pytestmark = pytest.mark.django_db


def test_the_admin_lists_sessions_with_status_owner_and_device(ready_session, admin_client):
    page = admin_client.get("/admin/streams/livesession/").content.decode()

    assert "湖边日出" in page
    assert "DJI Mini 4 Pro" in page
    # The owner's column, not just the word: the admin's own CSS says "owner" on every page.
    assert f'<td class="field-owner nowrap">{ready_session.owner}</td>' in page
    assert '<td class="field-status">就绪：等待推流</td>' in page


@pytest.mark.parametrize("query", ["stream", "owner"])
def test_sessions_can_be_found_by_stream_name_or_owner(ready_session, admin_client, query):
    term = ready_session.live_stream_name if query == "stream" else "owner"

    page = admin_client.get("/admin/streams/livesession/", {"q": term}).content.decode()

    assert f"/admin/streams/livesession/{ready_session.pk}/change/" in page


def test_sessions_can_be_filtered_by_status(ready_session, admin_client):
    ready = admin_client.get("/admin/streams/livesession/", {"status__exact": "ready"}).content.decode()
    ended = admin_client.get("/admin/streams/livesession/", {"status__exact": "ended"}).content.decode()

    assert f"/{ready_session.pk}/change/" in ready
    assert f"/{ready_session.pk}/change/" not in ended


def test_the_admin_masks_the_push_url_and_shows_the_history(ready_session, admin_client):
    page = admin_client.get(f"/admin/streams/livesession/{ready_session.pk}/change/").content.decode()

    assert ready_session.push_url not in page
    assert "sign=••••••••" in page
    assert "requesting" in page and "ready" in page


def test_sync_status_now_asks_kuaishou(ready_session, admin_client, kuaishou):
    kuaishou.publish(ready_session.live_stream_name)

    admin_client.post(
        "/admin/streams/livesession/", {"action": "sync_status_now", "_selected_action": [ready_session.pk]}
    )

    ready_session.refresh_from_db()
    assert ready_session.status == LiveSession.Status.LIVING
    assert ready_session.events.last().source == "admin"


def test_stop_live_ends_it_as_an_administrator(ready_session, admin_client, kuaishou):
    admin_client.post("/admin/streams/livesession/", {"action": "stop_live", "_selected_action": [ready_session.pk]})

    ready_session.refresh_from_db()
    assert ready_session.status == LiveSession.Status.ENDED
    assert ready_session.ended_by == LiveSession.EndedBy.ADMIN
    assert len(kuaishou.requests(endpoint="stopPush")) == 1


def test_staff_see_covers_in_the_admin(ready_session, admin_client):
    response = admin_client.get(f"/live/{ready_session.pk}/cover.jpg")

    assert response.status_code == 200
