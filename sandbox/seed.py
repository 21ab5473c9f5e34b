"""The demo app and accounts, and the reset that brings them back."""

import os

from django.db import transaction

from sandbox import demo
from sandbox.config import config_get
from sandbox.models import App, AuthCode, Config, DemoUser, Fault, RequestRecord, Stream, Token
from sandbox.services import demo_app_secret, rate_limit_reset

DEMO_USERS = [
    {
        "slug": "xiaoming",
        "name": "小明",
        "profile": {"sex": "M", "fan": 12580, "follow": 321, "city": "北京"},
        "color": "#ff5000",
        "can_live": True,
        "can_shop": True,
    },
    {
        "slug": "xiaohong",
        "name": "小红",
        "profile": {"sex": "F", "fan": 864, "follow": 97, "city": "上海"},
        "color": "#e8336d",
        "can_live": False,
    },
    {
        "slug": "aqiang",
        "name": "阿强",
        "profile": {"sex": "M", "fan": 3021, "follow": 45, "city": "广州"},
        "color": "#2f80ed",
        "can_live": True,
        "can_shop": False,
    },
    {
        "slug": "laowang",
        "name": "老王",
        "profile": {"sex": "M", "fan": 56, "follow": 12, "city": "成都"},
        "color": "#27ae60",
        "can_live": True,
        "can_shop": True,
        "needs_face_check": True,
    },
    {
        "slug": "anon",
        "name": "匿名用户",
        "profile": {},
        "has_avatar": False,
        "color": "#8a8f98",
        "can_live": True,
    },
]


def seed_demo() -> None:
    """Create or update the demo app and users (safe to run again)."""
    env = os.environ.get
    App.objects.update_or_create(
        app_id=env("SANDBOX_DEMO_APP_ID", demo.APP_ID),
        defaults={
            "secret": demo_app_secret(),
            "suspended": False,
            "biz_id": env("SANDBOX_DEMO_BIZ_ID", demo.BIZ_ID),
            "name": "kslive 演示应用",
        },
    )
    for position, user in enumerate(DEMO_USERS):
        fields = {
            "name": user["name"],
            "profile": user["profile"],
            "has_avatar": user.get("has_avatar", True),
            "color": user["color"],
            "can_live": user["can_live"],
            "can_shop": user.get("can_shop", False),
            "needs_face_check": user.get("needs_face_check", False),
            "position": position,
        }
        DemoUser.objects.update_or_create(slug=user["slug"], defaults=fields)
    config_get()


def sandbox_reset() -> None:
    """Forget everything that happened and restore the configuration from the environment."""
    with transaction.atomic():
        for model in (Stream, AuthCode, Token, Fault, RequestRecord, Config, App):
            model.objects.all().delete()
        DemoUser.objects.update(face_passed=False, face_token="")
        seed_demo()
    rate_limit_reset()
