"""End-to-end flows of the sample governed app over HTTP, on the memory backend."""

from __future__ import annotations

from datetime import timedelta

from appkit_testing.fakes import ControllableClock
from appkit_web.containers import GovernedAppContainer
from tests.web.conftest import ALICE, AUDITOR, BOB, CAROL, DAVE, Api

ACME_VAR = {"entity": "ACME", "metric": "var_99", "period": "2026-Q3"}  # computed 1250000


def problem_code(response) -> str:
    assert response.headers["content-type"] == "application/problem+json", response.text
    return response.json()["code"]


async def propose_override(api: Api, value: str) -> dict:
    response = await api.post(
        "/api/overrides",
        ALICE,
        json={**ACME_VAR, "value": value, "justification": "late trade booked"},
    )
    assert response.status_code == 201, response.text
    return response.json()


async def test_alice_proposes_a_small_override_and_bob_approves_it(api: Api):
    proposal = await propose_override(api, "1300000")  # +4%: not material
    assert proposal["required_approvals"] == 1
    assert proposal["id"] and proposal["approval_id"]

    approval = (await api.get(f"/api/approvals/{proposal['approval_id']}", DAVE)).json()
    assert approval["status"] == "PENDING"
    assert approval["kind"] == "metric_override"
    assert approval["requested_by"] == "dev:alice@example.com"
    assert approval["decisions"] == []

    before = (await api.get("/api/overrides/effective", BOB, params=ACME_VAR)).json()
    assert before["overridden"] is False and before["value"] == "1250000.000000"

    approved = await api.post(
        f"/api/approvals/{proposal['approval_id']}/approve", BOB, json={"comment": "checked"}
    )
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "APPLIED"
    assert approved.json()["decisions"][0]["principal_id"] == "dev:bob@example.com"

    effective = (await api.get("/api/overrides/effective", DAVE, params=ACME_VAR)).json()
    assert effective["overridden"] is True
    assert effective["value"] == "1300000"
    assert effective["overridden_by"] == "dev:alice@example.com"
    assert effective["approval_id"] == proposal["approval_id"]


async def test_the_requester_and_a_reader_cannot_approve(api: Api):
    proposal = await propose_override(api, "1300000")
    url = f"/api/approvals/{proposal['approval_id']}/approve"
    own = await api.post(url, ALICE, json={"comment": "me"})
    assert own.status_code == 403
    assert problem_code(own) == "self_approval"
    reader = await api.post(url, DAVE, json={})
    assert reader.status_code == 403
    assert problem_code(reader) == "not_eligible"
    state = (await api.get(f"/api/approvals/{proposal['approval_id']}", BOB)).json()
    assert state["status"] == "PENDING" and state["decisions"] == []


async def test_a_material_override_also_needs_carol(api: Api):
    proposal = await propose_override(api, "1500000")  # +20%: material
    assert proposal["required_approvals"] == 2
    url = f"/api/approvals/{proposal['approval_id']}/approve"
    first = await api.post(url, BOB, json={"comment": "ok"})
    assert first.status_code == 200
    assert first.json()["status"] == "PENDING"
    assert (await api.get("/api/overrides/effective", DAVE, params=ACME_VAR)).json()[
        "overridden"
    ] is False
    again = await api.post(url, BOB, json={"comment": "twice"})
    assert again.status_code == 409
    assert problem_code(again) == "already_decided"
    second = await api.post(url, CAROL, json={"comment": "ok too"})
    assert second.status_code == 200
    assert second.json()["status"] == "APPLIED"
    effective = (await api.get("/api/overrides/effective", DAVE, params=ACME_VAR)).json()
    assert effective["value"] == "1500000"
    assert sorted(effective["approved_by"]) == ["dev:bob@example.com", "dev:carol@example.com"]


async def test_a_rejection_ends_the_request_and_a_decided_request_is_409(api: Api):
    proposal = await propose_override(api, "1300000")
    rejected = await api.post(
        f"/api/approvals/{proposal['approval_id']}/reject", BOB, json={"comment": "no evidence"}
    )
    assert rejected.json()["status"] == "REJECTED"
    late = await api.post(f"/api/approvals/{proposal['approval_id']}/approve", CAROL, json={})
    assert late.status_code == 409


async def test_only_the_requester_withdraws(api: Api):
    proposal = await propose_override(api, "1300000")
    url = f"/api/approvals/{proposal['approval_id']}/withdraw"
    assert (await api.post(url, BOB)).status_code == 403
    withdrawn = await api.post(url, ALICE, json={"reason": "typo"})
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "WITHDRAWN"
    assert (await api.post(url, ALICE)).status_code == 409


async def test_an_expired_request_cannot_be_approved(api: Api, clock: ControllableClock):
    proposal = await propose_override(api, "1300000")
    clock.advance(timedelta(days=6))
    late = await api.post(f"/api/approvals/{proposal['approval_id']}/approve", BOB, json={})
    assert late.status_code == 409
    assert problem_code(late) == "expired"


async def test_customer_tier_change_is_applied_with_updated_by(
    api: Api, container: GovernedAppContainer
):
    proposed = await api.post(
        "/api/writeback/changes",
        ALICE,
        json={
            "table": "demo.crm.customers",
            "key": {"customer_id": 2},
            "set": {"tier": "gold"},
            "reason": "annual review",
        },
    )
    assert proposed.status_code == 201, proposed.text
    change = proposed.json()
    assert change["required_approvals"] == 1 and change["approval_id"]
    assert change["before"]["tier"] == "silver" and change["after"]["tier"] == "gold"

    approved = await api.post(f"/api/approvals/{change['approval_id']}/approve", BOB, json={})
    assert approved.json()["status"] == "APPROVED"
    applied = await api.post(f"/api/approvals/{change['approval_id']}/apply", BOB)
    assert applied.status_code == 200, applied.text
    assert applied.json()["status"] == "APPLIED"

    state = (await api.get(f"/api/writeback/changes/{change['id']}", AUDITOR)).json()
    assert state["status"] == "APPLIED"
    # dave may not read demo.crm.customers: he follows the state, not the rows
    hidden = (await api.get(f"/api/writeback/changes/{change['id']}", DAVE)).json()
    assert hidden["status"] == "APPLIED" and hidden["rows_hidden"] is True
    assert hidden["before"] == {} and hidden["after"] == {} and hidden["key"] == {}
    listed = (await api.get("/api/writeback/changes", DAVE)).json()["items"]
    assert [item["rows_hidden"] for item in listed] == [True]
    approval = (await api.get(f"/api/approvals/{change['approval_id']}", DAVE)).json()
    assert approval["payload"] == {} and approval["payload_hidden"] is True
    seen_by_bob = (await api.get(f"/api/approvals/{change['approval_id']}", BOB)).json()
    assert seen_by_bob["payload"]["before"]["tier"] == "silver"
    assert state["executed_by"].endswith("service-principal")
    row = container.backend.governed_table().row("demo.crm.customers", customer_id=2)
    assert row["tier"] == "gold"
    assert row["updated_by"] == "dev:alice@example.com"


async def test_a_change_whose_row_moved_ends_apply_failed_with_409(
    api: Api, container: GovernedAppContainer
):
    change = (
        await api.post(
            "/api/writeback/changes",
            ALICE,
            json={
                "table": "demo.crm.customers",
                "key": {"customer_id": 3},
                "set": {"tier": "silver"},
                "reason": "upgrade",
            },
        )
    ).json()
    await api.post(f"/api/approvals/{change['approval_id']}/approve", CAROL, json={})
    # another writer moves the row after the before-image was taken
    container.backend.governed_table().row("demo.crm.customers", customer_id=3)["tier"] = "gold"

    applied = await api.post(f"/api/approvals/{change['approval_id']}/apply", ALICE)
    assert applied.status_code == 409
    assert problem_code(applied) == "apply_failed"
    approval = (await api.get(f"/api/approvals/{change['approval_id']}", ALICE)).json()
    assert approval["status"] == "APPLY_FAILED"
    state = (await api.get(f"/api/writeback/changes/{change['id']}", ALICE)).json()
    assert state["status"] == "APPLY_FAILED"
    assert state["failure"]
    row = container.backend.governed_table().row("demo.crm.customers", customer_id=3)
    assert row["tier"] == "gold"  # nothing written over the other writer


async def test_writeback_refuses_what_the_rules_do_not_allow(api: Api):
    base = {"table": "demo.crm.customers", "key": {"customer_id": 1}, "reason": "x"}
    bad_value = await api.post(
        "/api/writeback/changes", ALICE, json={**base, "set": {"tier": "diamond"}}
    )
    assert bad_value.status_code == 400
    bad_column = await api.post(
        "/api/writeback/changes", ALICE, json={**base, "set": {"name": "X"}}
    )
    assert bad_column.status_code == 400
    bad_table = await api.post(
        "/api/writeback/changes",
        ALICE,
        json={**base, "table": "demo.risk.metrics", "set": {"tier": "gold"}},
    )
    assert bad_table.status_code == 400
    missing = await api.post(
        "/api/writeback/changes",
        ALICE,
        json={**base, "key": {"customer_id": 999}, "set": {"tier": "gold"}},
    )
    assert missing.status_code == 404
    governance_field = await api.post(
        "/api/writeback/changes",
        ALICE,
        json={**base, "set": {"tier": "gold"}, "status": "APPLIED"},
    )
    assert governance_field.status_code == 422


async def test_a_waiver_goes_through_approval(api: Api):
    ingested = await api.post(
        "/api/exceptions/ingest", ALICE, json={"table": "demo.dq.check_results"}
    )
    assert ingested.status_code == 200, ingested.text
    body = ingested.json()
    assert body["counts"] == {"created": 3}
    again = (await api.post("/api/exceptions/ingest", ALICE, json={})).json()
    assert again["counts"] == {"unchanged": 3}

    exception_id = body["results"][0]["exception"]["id"]
    assert body["results"][0]["exception"]["owner"] == "dev:alice@example.com"
    assert (await api.post(f"/api/exceptions/{exception_id}/acknowledge", BOB)).status_code == 403
    ack = await api.post(
        f"/api/exceptions/{exception_id}/acknowledge", ALICE, json={"note": "mine"}
    )
    assert ack.json()["status"] == "ACKNOWLEDGED"

    waiver = await api.post(
        f"/api/exceptions/{exception_id}/waive",
        ALICE,
        json={"justification": "vendor fix next release", "until": "2027-01-31T00:00:00Z"},
    )
    assert waiver.status_code == 201, waiver.text
    assert waiver.json()["required_approvals"] == 1
    approval_id = waiver.json()["approval_id"]
    assert (await api.get(f"/api/exceptions/{exception_id}", DAVE)).json()["status"] == (
        "ACKNOWLEDGED"
    )
    approved = await api.post(f"/api/approvals/{approval_id}/approve", BOB, json={})
    assert approved.json()["status"] == "APPLIED"
    waived = (await api.get(f"/api/exceptions/{exception_id}", DAVE)).json()
    assert waived["status"] == "WAIVED"
    assert waived["waiver_approval_id"] == approval_id

    listed = (await api.get("/api/exceptions", DAVE, params={"status": "WAIVED"})).json()
    assert [e["id"] for e in listed["items"]] == [exception_id]


async def test_overdue_exceptions_are_listed(api: Api, clock: ControllableClock):
    await api.post("/api/exceptions/ingest", ALICE, json={})
    clock.advance(timedelta(days=400))
    overdue = (await api.get("/api/exceptions", DAVE, params={"overdue": "true"})).json()
    assert len(overdue["items"]) == 3


async def test_audit_verify_is_ok_after_the_flows_and_events_carry_the_request_id(api: Api):
    proposal = await propose_override(api, "1300000")
    await api.post(
        f"/api/approvals/{proposal['approval_id']}/approve",
        BOB,
        json={},
        headers={"X-Request-Id": "req-approve-1"},
    )
    verify = await api.get("/api/audit/verify", AUDITOR)
    assert verify.status_code == 200
    body = verify.json()
    assert body["ok"] is True and body["first_broken"] is None
    assert body["streams"] and body["streams"][0]["events"] >= 2
    events = (
        await api.get("/api/audit/events", AUDITOR, params={"actor": "dev:bob@example.com"})
    ).json()["items"]
    assert events and all(e["request_id"] == "req-approve-1" for e in events)
    assert (await api.get("/api/audit/verify", BOB)).status_code == 403


async def test_pagination_of_approvals(api: Api):
    for value in ("1260000", "1270000", "1280000"):
        await propose_override(api, value)
    first = (await api.get("/api/approvals", DAVE, params={"page_size": 2})).json()
    assert len(first["items"]) == 2 and first["next_page_token"]
    second = (
        await api.get(
            "/api/approvals",
            DAVE,
            params={"page_size": 2, "page_token": first["next_page_token"]},
        )
    ).json()
    assert len(second["items"]) == 1 and second["next_page_token"] is None
    pending = (await api.get("/api/approvals", DAVE, params={"status": "PENDING"})).json()
    assert len(pending["items"]) == 3
    bad = await api.get("/api/approvals", DAVE, params={"page_token": "garbage!!"})
    assert bad.status_code == 400


async def test_racing_approvals_reach_quorum_once_and_apply_once(
    api: Api, container: GovernedAppContainer
):
    import asyncio

    proposal = await propose_override(api, "1300000")  # quorum 1
    url = f"/api/approvals/{proposal['approval_id']}/approve"
    bob, carol = await asyncio.gather(
        api.post(url, BOB, json={"comment": "b"}), api.post(url, CAROL, json={"comment": "c"})
    )
    statuses = sorted([bob.status_code, carol.status_code])
    assert statuses == [200, 409], (bob.text, carol.text)
    state = (await api.get(f"/api/approvals/{proposal['approval_id']}", DAVE)).json()
    assert state["status"] == "APPLIED" and len(state["decisions"]) == 1
    actions = [e.action for e in container.backend.audit_store().rows]
    assert actions.count("approval.approve") == 1
    assert actions.count("approval.apply") == 1
