import pytest


@pytest.mark.django_db
def test_home_speaks_simplified_chinese_by_default(client):
    response = client.get("/")

    assert response.status_code == 200
    assert '<html lang="zh-hans">' in response.content.decode()
    assert "用任何摄像头" in response.content.decode()


@pytest.mark.django_db
def test_home_speaks_english_to_a_browser_that_asks_for_it(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    assert '<html lang="en">' in response.content.decode()
    assert "Go live on Kuaishou from any camera" in response.content.decode()


@pytest.mark.django_db
def test_choosing_a_language_sticks(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})

    response = client.get("/")

    assert "How it works" in response.content.decode()


@pytest.mark.django_db
def test_home_links_to_kuaishou_cloud_live_studio(client):
    response = client.get("/")

    assert "https://liveopen.kuaishou.com/" in response.content.decode()
