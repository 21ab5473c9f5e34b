from devtools import ready


def test_it_says_where_to_go_once_every_url_answers(monkeypatch, capsys):
    answering = {"http://127.0.0.1:8000/": iter([False, True]), "http://127.0.0.1:8001/": iter([True])}
    monkeypatch.setattr(ready, "answers", lambda url: next(answering[url]))
    monkeypatch.setattr(ready.time, "sleep", lambda seconds: None)
    monkeypatch.setattr(ready.signal, "pause", lambda: None)

    ready.main("http://127.0.0.1:8000/", "http://127.0.0.1:8001/")

    assert capsys.readouterr().out == (
        "Ready. Open http://127.0.0.1:8000/ and log in as a demo user (Ctrl-C stops everything).\n")


def test_it_names_what_never_answered(monkeypatch, capsys):
    monkeypatch.setattr(ready, "answers", lambda url: url.endswith(":8000/"))
    monkeypatch.setattr(ready.signal, "pause", lambda: None)

    ready.main("http://127.0.0.1:8000/", "http://127.0.0.1:8001/", timeout=0.2)

    assert capsys.readouterr().out == "Not answering after 0.2 s: http://127.0.0.1:8001/; see the lines above.\n"
