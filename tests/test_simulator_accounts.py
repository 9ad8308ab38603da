"""Subaccounts in the simulator (checked against Twilio's spec), and the gateway listing them over HTTP."""

from __future__ import annotations

import pytest
from sim_helpers import ACCOUNT, KEY_SECRET, KEY_SID, TOKEN, calls_path, http, running, sdk
from twilio.base.exceptions import TwilioRestException

from calltui.domain.account import AccountInfo
from calltui.domain.errors import AuthError
from calltui.gateway import TwilioGateway
from calltui.secret import Secret
from calltui.settings import Settings
from calltui.simulator import Simulator
from calltui.simulator.demo import add_demo_subaccounts

SUB_KEY = "SK" + "3" * 32
SUB_KEY_SECRET = "sub-key-secret"


async def test_the_main_account_lists_itself_and_its_subaccounts() -> None:
    async with running(friendly_name="Main") as sim:
        eu = sim.add_subaccount(friendly_name="EU support")
        us = sim.add_subaccount(friendly_name="US support")
        async with sdk(sim) as client:
            listed = await client.api.v2010.accounts.list_async()
            assert [a.sid for a in listed] == [ACCOUNT, eu["sid"], us["sid"]]
            assert [a.friendly_name for a in listed] == ["Main", "EU support", "US support"]
            assert {a.owner_account_sid for a in listed} == {ACCOUNT}
            only = await client.api.v2010.accounts.list_async(friendly_name="US support")
            assert [a.sid for a in only] == [us["sid"]]


async def test_the_accounts_list_pages_with_tokens() -> None:
    async with running() as sim:
        subs = [sim.add_subaccount(friendly_name=f"sub {i}")["sid"] for i in range(5)]
        async with sdk(sim) as client:
            listed = await client.api.v2010.accounts.list_async(page_size=2)
        assert [a.sid for a in listed] == [ACCOUNT, *subs]
        assert sum(1 for r in sim.requests if r.path.endswith("/Accounts.json")) == 3


async def test_a_subaccount_sees_only_itself_and_not_its_parent() -> None:
    async with running() as sim:
        sub = sim.add_subaccount(friendly_name="EU", api_keys={SUB_KEY: SUB_KEY_SECRET})
        sim.add_subaccount(friendly_name="sibling")
        for user, password in ((sub["sid"], sub["auth_token"]), (SUB_KEY, SUB_KEY_SECRET)):
            async with http(sim, user, password) as session:
                async with session.get("/2010-04-01/Accounts.json") as answer:
                    assert [a["sid"] for a in (await answer.json())["accounts"]] == [sub["sid"]]
                async with session.get(calls_path(ACCOUNT)) as answer:
                    assert answer.status == 401
                async with session.get(calls_path(sub["sid"])) as answer:
                    assert answer.status == 200


async def test_the_parents_credentials_act_on_a_subaccounts_calls() -> None:
    async with running() as sim:
        sub = sim.add_subaccount(friendly_name="EU")["sid"]
        theirs = [sim.add_call(account_sid=sub)["sid"] for _ in range(2)]
        ours = sim.add_call()["sid"]
        for (user, password), sid in zip(((ACCOUNT, TOKEN), (KEY_SID, KEY_SECRET)), theirs, strict=True):
            async with sdk(sim, user, password) as client:  # the auth token, and an API key (a Main key)
                listed = await client.api.v2010.accounts(sub).calls.list_async()
                assert {c.sid for c in listed} == set(theirs)
                assert {c.account_sid for c in listed} == {sub}
                await client.api.v2010.accounts(sub).calls(sid).update_async(status="completed")
                assert sim.call(sid)["status"] == "completed"
                with pytest.raises(TwilioRestException) as refused:  # not the parent's call
                    await client.api.v2010.accounts(ACCOUNT).calls(sid).fetch_async()
                assert refused.value.status == 404
        assert sim.call(ours)["status"] == "in-progress"


async def test_the_subaccounts_token_is_shown_to_its_parent_and_itself_only() -> None:
    async with running() as sim:
        sub = sim.add_subaccount(friendly_name="EU")
        async with http(sim) as session, session.get(f"/2010-04-01/Accounts/{sub['sid']}.json") as answer:
            assert (await answer.json())["auth_token"] == sub["auth_token"]
        async with (
            http(sim, KEY_SID, KEY_SECRET) as session,
            session.get("/2010-04-01/Accounts.json") as answer,
        ):
            assert {a["auth_token"] for a in (await answer.json())["accounts"]} == {None}


async def test_a_bad_accounts_query_is_refused_as_twilio_refuses_it() -> None:
    async with running() as sim, http(sim) as session:
        for query, code in (("Status=gone", 20001), ("PageSize=1001", 20007), ("PageToken=x", 21481)):
            async with session.get(f"/2010-04-01/Accounts.json?{query}") as answer:
                assert answer.status == 400 and (await answer.json())["code"] == code


def gateway_for(sim: Simulator, **overrides: object) -> TwilioGateway:
    assert sim.base_url
    values: dict[str, object] = {
        "account_sid": ACCOUNT,
        "username": ACCOUNT,
        "secret": Secret(TOKEN),
        "api_url": sim.base_url,
        "request_timeout": 5.0,
    }
    values.update(overrides)
    return TwilioGateway(Settings(**values))  # type: ignore[arg-type]


async def test_the_gateway_lists_accounts_without_their_tokens() -> None:
    async with running(friendly_name="Main") as sim:
        sub = sim.add_subaccount(friendly_name="EU\x1b[2J", status="suspended")["sid"]
        gateway = gateway_for(sim)
        try:
            accounts = await gateway.list_subaccounts()
        finally:
            await gateway.close()
        assert accounts == [
            AccountInfo(ACCOUNT, "Main", "active", ACCOUNT),
            AccountInfo(sub, "EU\x1b[2J", "suspended", ACCOUNT),
        ]
        assert not accounts[0].is_subaccount and accounts[1].is_subaccount
        assert "auth_token" not in repr(accounts)


async def test_the_gateway_reports_a_refused_accounts_list_as_a_domain_error() -> None:
    async with running() as sim:
        sim.faults.add("auth", path_contains="/Accounts.json")
        gateway = gateway_for(sim)
        try:
            with pytest.raises(AuthError):
                await gateway.list_subaccounts()
        finally:
            await gateway.close()


async def test_the_gateway_skips_records_that_are_not_accounts() -> None:
    async with running(record_exchanges=False) as sim:
        body = '{"accounts": [1, {"sid": "../x"}, {"sid": "%s", "friendly_name": 5}], "next_page_uri": null}'
        sim.faults.add("malformed", path_contains="/Accounts.json", body=body % ACCOUNT)
        gateway = gateway_for(sim)
        try:
            assert await gateway.list_subaccounts() == [AccountInfo(ACCOUNT)]
        finally:
            await gateway.close()


async def test_the_demo_has_subaccounts_with_calls_to_switch_to() -> None:
    async with running(friendly_name="Main") as sim:
        add_demo_subaccounts(sim)
        async with sdk(sim) as client:
            listed = await client.api.v2010.accounts.list_async()
            assert [a.friendly_name for a in listed] == ["Main", "Acme EU", "Acme staging"]
            eu = await client.api.v2010.accounts(listed[1].sid).calls.list_async()
        assert sorted(call.status for call in eu) == ["in-progress", "in-progress", "ringing"]
