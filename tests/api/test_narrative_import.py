"""Importing an agency narrative from CSV over HTTP (multipart upload): a good file, a file with one
bad row (nothing saved, the line and column named), a file that is not UTF-8 (a clear message), a
file that is not CSV, and who may import."""

from __future__ import annotations

import pytest

from tests.api.world import World
from workflow.states import State

GOOD = (
    "date,time,what_happened,source_record,agencies_aware,significant\n"
    "2026-03-04,09:30,Alice was not brought to her dental appointment (third time),Custody log 12,,yes\n"
    "10/03/2026,,Domestic incident at the home,Incident 2026/118,Health (2026-03-12),yes\n"
    '2026-04-01,14:00,"Welfare check: house clean, routines in place",Visit log 4,,no\n'
)
ONE_BAD_ROW = (
    "date,what_happened,significant\n"
    "2026-03-04,Alice was not brought to her dental appointment,yes\n"
    "2026-13-01,A date that does not exist,no\n"
    "2026-04-01,Welfare check,no\n"
)


@pytest.fixture
def world(worlds) -> World:
    return worlds.at(State.DATA_GATHERING)


def upload(
    client, world: World, data: bytes, caller: str = "panel_member", *, content_type="text/csv", **form
):
    return client.post(
        f"/api/v1/reviews/{world.review_id}/narratives/Police/import",
        files={"file": ("police.csv", data, content_type)},
        data=form,
        headers=world.headers(caller),
    )


def entries(client, world: World) -> list[dict]:
    response = client.get(
        f"/api/v1/reviews/{world.review_id}/narratives/Police", headers=world.headers("lead")
    )
    return response.json()["entries"] if response.status_code == 200 else []


def test_a_good_file_is_imported_row_by_row(client, world):
    response = upload(client, world, GOOD.encode())
    assert response.status_code == 200, response.text
    assert response.json() == {"agency": "Police", "imported": 3, "replaced": 0}
    got = entries(client, world)
    assert [e["occurred_on"] for e in got] == ["2026-03-04", "2026-03-10", "2026-04-01"]
    assert got[0]["occurred_at"] == "09:30"
    assert got[1]["aware"] == {"Health": "2026-03-12"}
    assert [e["significant"] for e in got] == [True, True, False]
    assert got[2]["what_happened"] == "Welfare check: house clean, routines in place"
    # The information-sharing map draws the significant ones: Health learned of the second later.
    grid = client.get(
        f"/api/v1/reviews/{world.review_id}/information-sharing", headers=world.headers("coordinator")
    ).json()
    assert len(grid["rows"]) == 2
    health = {c["agency"]: c for c in grid["rows"][1]["cells"]}["Health"]
    assert health == {"agency": "Health", "knew": True, "known_from": "2026-03-12", "how": "later"}


def test_a_byte_order_mark_and_replace(client, world):
    assert upload(client, world, GOOD.encode()).status_code == 200
    replaced = upload(client, world, "\ufeff".encode() + GOOD.encode(), replace="true")
    assert replaced.status_code == 200, replaced.text
    assert replaced.json() == {"agency": "Police", "imported": 3, "replaced": 3}
    assert len(entries(client, world)) == 3


def test_one_bad_row_refuses_the_whole_file_naming_its_line_and_column(client, world):
    assert upload(client, world, GOOD.encode()).status_code == 200
    before = entries(client, world)
    response = upload(client, world, ONE_BAD_ROW.encode())
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "urn:tunnelview:problem:invalid-input"
    assert problem["errors"] == {
        "line 3, date": "'2026-13-01' is not a date: write it as YYYY-MM-DD (or DD/MM/YYYY).",
    }
    assert "line 3, date" in problem["detail"]
    assert entries(client, world) == before  # nothing of that file was saved


def test_several_problems_are_all_listed(client, world):
    data = b"date,what_happened,significant,colour\n2026-03-04,x,maybe,red\n"
    errors = upload(client, world, data).json()["errors"]
    assert errors == {  # the header's problem and the rows' together
        "line 1, colour": "Unknown column. Columns are: date, time, what_happened, source_record, "
        "agencies_aware, significant.",
        "line 2, significant": "'maybe' is not yes or no.",
    }
    data = b"date,what_happened,significant\n2026-03-04,,maybe\n,Something,yes\n"
    errors = upload(client, world, data).json()["errors"]
    assert errors == {
        "line 2, significant": "'maybe' is not yes or no.",
        "line 2, what_happened": "Say what happened.",
        "line 3, date": "'' is not a date: write it as YYYY-MM-DD (or DD/MM/YYYY).",
    }


def test_past_fifty_problems_the_rest_are_counted(client, world):
    rows = "".join(f"2026-02-30,Visit {i},maybe\n" for i in range(30)).encode()  # two a row
    problem = upload(client, world, b"date,what_happened,significant\n" + rows).json()
    assert len(problem["errors"]) == 51
    assert problem["errors"]["line 26, date"].startswith("'2026-02-30' is not a date")
    assert problem["errors"]["more"] == "10 more problem(s) not listed; fix these and import again."


def test_a_file_that_is_not_utf8_is_refused_with_a_clear_message(client, world):
    data = GOOD.replace("Welfare", "Caf\u00e9 welfare").encode("latin-1")
    response = upload(client, world, data)
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "line 4": "The file is not UTF-8 text: byte 0xE9 cannot be read. Save it as "
        "'CSV UTF-8 (comma delimited)' and import it again."
    }
    assert entries(client, world) == []


def test_a_file_that_is_not_csv_or_no_file_at_all(client, world):
    picture = upload(client, world, b"\x89PNG\r\n", content_type="image/png")
    assert picture.status_code == 422
    assert picture.json()["errors"] == {"file": "Upload the narrative as a CSV file (text/csv)."}
    nothing = client.post(
        f"/api/v1/reviews/{world.review_id}/narratives/Police/import", headers=world.headers("panel_member")
    )
    assert nothing.status_code == 422
    assert "file" in nothing.json()["errors"]
    empty = upload(client, world, b"")
    assert empty.json()["errors"] == {"line 1": "The file is empty: it needs a header row."}


def test_who_may_import(client, world):
    # The coordinator for any agency; a panel member only for their own.
    assert upload(client, world, GOOD.encode(), "coordinator").status_code == 200
    other_agency = client.post(
        f"/api/v1/reviews/{world.review_id}/narratives/Health/import",
        files={"file": ("health.csv", GOOD.encode(), "text/csv")},
        headers=world.headers("panel_member"),
    )
    assert other_agency.status_code == 403
    assert "Health's panel member or the review coordinator" in other_agency.json()["detail"]
    for caller, status in (("chair", 403), ("case_group", 403), ("lead", 403), ("other_review", 404)):
        assert upload(client, world, GOOD.encode(), caller).status_code == status, caller
    unknown = client.post(
        f"/api/v1/reviews/{world.review_id}/narratives/Fire%20service/import",
        files={"file": ("f.csv", GOOD.encode(), "text/csv")},
        headers=world.headers("coordinator"),
    )
    assert unknown.status_code == 422
    assert "agency" in unknown.json()["errors"]


def test_a_submitted_narrative_takes_no_import_until_returned(client, world):
    assert upload(client, world, GOOD.encode()).status_code == 200
    base = f"/api/v1/reviews/{world.review_id}/narratives/Police"
    etag = client.get(base, headers=world.headers("panel_member")).headers["ETag"]
    submitted = client.post(f"{base}/submission", headers={**world.headers("panel_member"), "If-Match": etag})
    assert submitted.status_code == 200
    refused = upload(client, world, GOOD.encode())
    assert refused.status_code == 409
    assert refused.json()["reasons"] == [
        "Police's narrative is submitted and read-only; it can be changed again once it is returned."
    ]
    returned = client.post(
        f"{base}/return",
        json={"reason": "Add the April strategy meeting."},
        headers={**world.headers("lead"), "If-Match": submitted.headers["ETag"]},
    )
    assert returned.status_code == 200, returned.text
    assert returned.json()["status"] == "returned"
    assert returned.json()["returned_reason"] == "Add the April strategy meeting."
    assert upload(client, world, GOOD.encode()).status_code == 200
