"""Which consent page a browser gets: h5 for phones and tablets, pc for desktops."""

import pytest

from kuaishou import consent_page_for

PHONES_AND_TABLETS = {
    "iPhone Safari": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Mobile/15E148 Safari/604.1",
    "iPhone WeChat": "Mozilla/5.0 (iPhone; CPU iPhone OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Mobile/15E148 MicroMessenger/8.0.47(0x18002f2c) NetType/WIFI Language/zh_CN",
    "Android Chrome": "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 "
    "Mobile Safari/537.36",
    "Huawei browser": "Mozilla/5.0 (Linux; Android 12; HarmonyOS; NOH-AN00; HMSCore 6.13.0.302) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/114.0.5735.196 HuaweiBrowser/14.0.5.302 Mobile Safari/537.36",
    "Android tablet Chrome": "Mozilla/5.0 (Linux; Android 13; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36",
    "iPad (old UA)": "Mozilla/5.0 (iPad; CPU OS 12_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/12.1.2 Mobile/15E148 Safari/604.1",
    "Kuaishou in-app browser": "Mozilla/5.0 (Linux; Android 11; M2012K11AC) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Version/4.0 Chrome/87.0.4280.141 Mobile Safari/537.36 Kwai/11.1.40",
}

DESKTOPS = {
    "Windows Chrome": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36",
    "Mac Safari": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.4.1 Safari/605.1.15",
    "Mac Chrome": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36",
    "Linux Firefox": "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
    "Windows Edge": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.80",
}


@pytest.mark.parametrize("user_agent", PHONES_AND_TABLETS.values(), ids=PHONES_AND_TABLETS.keys())
def test_phones_and_tablets_get_the_h5_page(user_agent):
    assert consent_page_for(user_agent) == "h5"


@pytest.mark.parametrize("user_agent", DESKTOPS.values(), ids=DESKTOPS.keys())
def test_desktops_get_the_pc_page(user_agent):
    assert consent_page_for(user_agent) == "pc"


def test_an_ipad_that_calls_itself_a_mac_gets_the_h5_page_when_the_page_saw_a_touch_screen():
    assert consent_page_for(DESKTOPS["Mac Safari"], touch_mac=True) == "h5"


def test_the_mobile_client_hint_decides_for_a_reduced_user_agent():
    assert consent_page_for(DESKTOPS["Windows Chrome"], mobile_hint="?1") == "h5"
    assert consent_page_for(DESKTOPS["Windows Chrome"], mobile_hint="?0") == "pc"


@pytest.mark.parametrize("user_agent", ["", "curl/8.5.0", "SomeSetTopBox/1.0"])
def test_a_browser_we_cannot_place_gets_the_phone_page_that_works_everywhere(user_agent):
    assert consent_page_for(user_agent) == "h5"
