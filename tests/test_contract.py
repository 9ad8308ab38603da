"""The contract check itself (tests/contract.py): it must refuse what Twilio would never send, or every
test that leans on it could pass by accident."""

from __future__ import annotations

import json

import contract
import pytest

from calltui.simulator.recording import Exchange

AC = "AC" + "1" * 32
CALL_PATH = f"/2010-04-01/Accounts/{AC}/Calls/CA{'2' * 32}.json"
CALLS = json.loads(
    (contract.SPEC_PATH.parent.parent / "twilio_payloads" / "calls_page_2023.json").read_text()
)
CALL = {**CALLS["calls"][0], "account_sid": AC}


def error(**fields: object) -> bytes:
    envelope = {
        "code": 20404,
        "message": "Not found",
        "more_info": "https://www.twilio.com/docs/errors/20404",
    }
    return json.dumps({**envelope, "status": 404, **fields}).encode()


def test_twilios_error_envelope_passes() -> None:
    contract.validate_response("GET", CALL_PATH, 404, error())


@pytest.mark.parametrize(
    "body",
    [
        {"code": None},  # no code: every Twilio error has one
        {"code": "20404"},
        {"code": True},
        {"more_info": "https://example.com/20404"},
        {"status": 400},
        {"message": None},
    ],
    ids=["null-code", "text-code", "bool-code", "wrong-more-info", "wrong-status", "no-message"],
)
def test_an_error_envelope_twilio_would_not_send_is_refused(body: dict[str, object]) -> None:
    with pytest.raises(contract.ContractError):
        contract.validate_response("GET", CALL_PATH, 404, error(**body))


def test_an_error_without_a_code_field_is_refused() -> None:
    body = json.loads(error())
    del body["code"]
    with pytest.raises(contract.ContractError, match="code"):
        contract.check_error_envelope(404, json.dumps(body).encode())


def test_a_call_as_twilio_sends_it_passes_and_a_wrong_one_is_refused() -> None:
    contract.validate_response("GET", CALL_PATH, 200, json.dumps(CALL).encode())
    for broken in ({"status": "dialing"}, {"duration": 4}, {"date_created": "2019-10-18T17:00:00Z"}):
        with pytest.raises(contract.ContractError):
            contract.validate_response("GET", CALL_PATH, 200, json.dumps({**CALL, **broken}).encode())
    without = {k: v for k, v in CALL.items() if k != "queue_time"}
    with pytest.raises(contract.ContractError):  # every documented field is present
        contract.validate_response("GET", CALL_PATH, 200, json.dumps(without).encode())


def test_where_twilio_differs_from_its_spec_the_real_answer_passes() -> None:
    contract.validate_response("GET", CALL_PATH, 200, json.dumps({**CALL, "trunk_sid": ""}).encode())
    with pytest.raises(contract.ContractError):
        contract.validate_response("GET", CALL_PATH, 200, json.dumps({**CALL, "trunk_sid": "TK1"}).encode())
    # Only the check is widened: the vendored spec stays Twilio's file as published.
    published = contract.spec()["components"]["schemas"]["api.v2010.account.call"]["properties"]["trunk_sid"]
    assert published["pattern"] == "^TK[0-9a-fA-F]{32}$"


def test_an_answer_a_test_injected_is_not_held_to_the_contract() -> None:
    def exchange(fault: str | None) -> Exchange:
        return Exchange(
            "GET", CALL_PATH, (), b"", "", True, 200, b'{"calls": [{"sid": "CA', "application/json", fault
        )

    contract.validate_exchange(exchange("malformed"))
    with pytest.raises(contract.ContractError):
        contract.validate_exchange(exchange(None))
