"""The sandbox's demo app is written in code once (sandbox/demo.py); the settings files and the
sandbox's README that must name it as text agree with it."""

import configparser
from pathlib import Path

from sandbox import demo

REPO = Path(__file__).resolve().parents[1]
DEMO = {"KUAISHOU_APP_ID": demo.APP_ID, "KUAISHOU_APP_SECRET": demo.APP_SECRET, "KUAISHOU_BIZ_ID": demo.BIZ_ID}


def test_env_example_names_the_demo_app():
    lines = (REPO / ".env.example").read_text(encoding="utf-8").splitlines()
    settings = dict(line.split("=", 1) for line in lines if "=" in line and not line.startswith("#"))

    assert {key: settings[key] for key in DEMO} == DEMO


def test_pytest_ini_names_the_demo_app():
    ini = configparser.ConfigParser()
    ini.read(REPO / "pytest.ini", encoding="utf-8")
    settings = dict(line.removeprefix("D:").split("=", 1) for line in ini["pytest"]["env"].split())

    assert {key: settings[key] for key in DEMO} == DEMO


def test_the_sandbox_readme_names_the_demo_app():
    readme = (REPO / "sandbox" / "README.md").read_text(encoding="utf-8")

    assert f"app id `{demo.APP_ID}`, secret `{demo.APP_SECRET}`, bizId `{demo.BIZ_ID}`" in readme
