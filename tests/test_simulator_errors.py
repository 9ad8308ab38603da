"""Refusals as Twilio answers them: auth (20003), not found (20404), paging (20007, 21481, 20001)."""

from __future__ import annotations

import contract
import pytest
from sim_helpers import ACCOUNT, KEY_SECRET, KEY_SID, TOKEN, basic, call_path, calls_path, http, running, sdk
from twilio.base.exceptions import TwilioException, TwilioRestException

OTHER_ACCOUNT = "AC" + "9" * 32


async def error(session, method: str, url: str, **kwargs) -> tuple[int, dict, dict]:
    async with session.request(method, url, **kwargs) as response:
        body = await response.read()
        contract.check_error_envelope(response.status, body)
        return response.status, await response.json(), dict(response.headers)


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        basic(ACCOUNT, "wrong-token"),
        basic(ACCOUNT, ""),
        basic(KEY_SID, TOKEN),  # a key with the account's token
        basic(ACCOUNT, KEY_SECRET),  # the account with a key's secret
        basic("AC" + "3" * 32, TOKEN),
        "Bearer " + TOKEN,
        "Basic !!!not-base64",
        "Basic " + "dXNlcm5hbWVvbmx5",  # "usernameonly": no colon
    ],
)
async def test_bad_credentials_get_401_20003_authenticate(authorization: str | None) -> None:
    async with running() as sim, http(sim, None) as session:
        headers = {"Authorization": authorization} if authorization else {}
        status, body, response_headers = await error(session, "GET", calls_path(), headers=headers)
        assert (status, body["code"], body["message"]) == (401, 20003, "Authenticate")
        assert body["more_info"] == "https://www.twilio.com/docs/errors/20003"
        assert response_headers["WWW-Authenticate"].startswith("Basic")


@pytest.mark.parametrize("path", [calls_path(OTHER_ACCOUNT), f"/2010-04-01/Accounts/{OTHER_ACCOUNT}.json"])
async def test_good_credentials_for_another_account_are_refused(path: str) -> None:
    async with running() as sim, http(sim) as session:
        status, body, _ = await error(session, "GET", path)
        assert (status, body["code"]) == (401, 20003)


async def test_sdk_reports_auth_failures_the_way_each_call_does() -> None:
    async with running() as sim, sdk(sim, ACCOUNT, "rotated") as client:
        with pytest.raises(TwilioRestException) as fetch_error:
            await client.calls("CA" + "a" * 32).fetch_async()
        assert (fetch_error.value.status, fetch_error.value.code) == (401, 20003)
        with pytest.raises(TwilioException) as list_error:
            await client.calls.list_async(status="in-progress")
        assert list_error.value.args[1].status_code == 401


@pytest.mark.parametrize(
    "sid", ["CA" + "f" * 32, "CAxyz", "ca" + "f" * 32, "CA" + "g" * 32, "nonsense", "CA" + "f" * 33]
)
async def test_unknown_or_malformed_call_sid_is_404_20404_naming_the_resource(sid: str) -> None:
    async with running() as sim, http(sim) as session:
        sim.add_call()
        status, body, _ = await error(session, "GET", call_path(sid))
        assert (status, body["code"]) == (404, 20404)
        assert body["message"] == f"The requested resource {call_path(sid)} was not found"


async def test_unknown_routes_and_methods_answer_in_twilios_envelope() -> None:
    async with running() as sim, http(sim) as session:
        status, body, _ = await error(session, "GET", f"/2010-04-01/Accounts/{ACCOUNT}/Nope.json")
        assert (status, body["code"]) == (404, 20404)
        status, body, _ = await error(session, "PUT", calls_path())
        assert (status, body["code"]) == (405, 20004)


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("PageSize=1001", 20007),
        ("PageSize=5000", 20007),
        ("PageSize=0", 20001),
        ("PageSize=-3", 20001),
        ("PageSize=ten", 20001),
        ("Page=1", 20001),
        ("Page=-1", 20001),
        ("Page=x&PageToken=PA" + "CA" + "a" * 32, 20001),
        ("PageToken=garbage", 21481),
        ("PageToken=PA", 21481),
        ("PageToken=PZCA" + "a" * 32, 21481),
        ("Status=initiated", 20001),
        ("Status=IN-PROGRESS", 20001),
        ("Status=", 20001),
        ("ParentCallSid=CA123", 20001),
        ("StartTime=yesterday", 20001),
        ("StartTime=0001-01-01T00:00:00%2B01:00", 20001),  # before year 1 once in UTC
        ("EndTime%3E=2026-13-45", 20001),
    ],
)
async def test_list_refuses_bad_parameters(query: str, code: int) -> None:
    async with running() as sim, http(sim) as session:
        status, body, _ = await error(session, "GET", f"{calls_path()}?{query}")
        assert (status, body["code"]) == (400, code)


async def test_page_beyond_zero_without_a_token_names_the_missing_token() -> None:
    async with running() as sim, http(sim) as session:
        _, body, _ = await error(session, "GET", f"{calls_path()}?Page=1&PageSize=50")
        assert body["message"] == "PageToken is required for paging."


async def test_well_formed_token_for_a_call_that_does_not_exist_is_404() -> None:
    async with running() as sim, http(sim) as session:
        status, body, _ = await error(session, "GET", f"{calls_path()}?Page=1&PageToken=PACA{'b' * 32}")
        assert (status, body["code"]) == (404, 20404)


async def test_sdk_list_with_limit_over_1000_sends_page_size_twilio_refuses() -> None:
    async with running() as sim, sdk(sim) as client:
        with pytest.raises(TwilioException) as caught:
            await client.calls.list_async(limit=5000)
        assert caught.value.args[1].status_code == 400
        assert '"code": 20007' in caught.value.args[1].text


@pytest.mark.parametrize(
    ("form", "code"),
    [
        ({"From": "+15551230000", "Url": "https://x.test/a"}, 21201),
        ({"To": "+15551230000", "Url": "https://x.test/a"}, 21213),
        ({"To": "+15551230000", "From": "+15551230001"}, 21205),
        ({"To": "+15551230000", "From": "+15551230001", "Url": "nope"}, 21205),
        (
            {"To": "+15551230000", "From": "+15551230001", "Twiml": "<Response/>", "Url": "https://x.test"},
            20001,
        ),
        ({"To": "+15551230000", "From": "+15551230001", "Url": "https://x.test", "Timeout": "long"}, 20001),
        ({"To": "+15551230000", "From": "+15551230001", "Url": "https://x.test", "Record": "maybe"}, 20001),
        ({"To": "+15551230000", "From": "+15551230001", "ApplicationSid": "AP123"}, 21218),
        ({"To": "+15551230000", "From": "+15551230001", "Url": "https://x.test", "Method": "post"}, 20001),
    ],
)
async def test_create_refuses_incomplete_or_invalid_forms(form: dict, code: int) -> None:
    async with running() as sim, http(sim) as session:
        status, body, _ = await error(session, "POST", calls_path(), data=form)
        assert (status, body["code"]) == (400, code)
        assert len(sim.store) == 0


async def test_requests_are_recorded_without_any_password() -> None:
    async with running() as sim, http(sim) as session, http(sim, KEY_SID, KEY_SECRET) as keyed:
        sid = sim.add_call()["sid"]
        await error(session, "GET", calls_path() + "?Status=bogus&PageSize=5")
        async with keyed.post(call_path(sid), data={"Url": "https://x.test/a", "SipAuthPassword": "p4ss"}):
            pass
        first, second = sim.requests
        assert (first.method, first.path, first.query, first.auth_user) == (
            "GET",
            calls_path(),
            {"Status": "bogus", "PageSize": "5"},
            ACCOUNT,
        )
        assert (second.method, second.form["Url"], second.auth_user) == ("POST", "https://x.test/a", KEY_SID)
        recorded = repr(sim.requests)
        assert TOKEN not in recorded and KEY_SECRET not in recorded and "p4ss" not in recorded
