"""Importer cases of issue 9: zero-decimal currencies refuse cents, a duplicate-id row
still reports its other problems, plain integers in a date column, Windows-1252 text,
file errors naming the file once."""

from __future__ import annotations

import csv
from decimal import Decimal

import pytest

from app.services.deals import list_deals
from app.services.importer import ImportFailed, import_file

HEAD = ["source_id", "title", "account", "owner", "amount", "currency", "expected_close", "created", "stage",
        "status"]


def write_csv(path, rows, encoding="utf-8"):
    with open(path, "w", newline="", encoding=encoding) as fh:
        csv.writer(fh).writerows(rows)
    return path


def problems(db, path, **kw):
    with pytest.raises(ImportFailed) as info:
        import_file(db, path, preset="generic", **kw)
    assert list_deals(db) == []
    return info.value.problems


@pytest.mark.parametrize("currency", ["KRW", "JPY", "VND", "CLP", "ISK"])
def test_zero_decimal_currency_refuses_cents(db, tmp_path, currency):
    rows = [HEAD, ["z1", "Deal", "A", "o", "1500.50", currency, "", "", "1", "open"]]
    got = problems(db, write_csv(tmp_path / "z.csv", rows))
    assert [(p.row, p.column) for p in got] == [(2, "amount")]
    assert currency in got[0].message and "no cents" in got[0].message


def test_zero_decimal_currency_from_the_symbol_and_whole_amounts_pass(db, tmp_path):
    rows = [HEAD, ["z1", "Deal", "A", "o", "₩1,500.5", "", "", "", "1", "open"]]
    got = problems(db, write_csv(tmp_path / "z.csv", rows))
    assert [(p.row, p.column) for p in got] == [(2, "amount")]
    rows = [HEAD, ["z1", "Deal", "A", "o", "1500.00", "KRW", "", "", "1", "open"],
            ["z2", "Deal", "A", "o", "12.34", "KWD", "", "", "1", "open"],
            ["z3", "Deal", "A", "o", "12.34", "USD", "", "", "1", "open"]]
    assert import_file(db, write_csv(tmp_path / "ok.csv", rows), preset="generic").created == 3


def test_a_third_decimal_is_refused_not_rounded_away_for_three_decimal_currencies(db, tmp_path):
    """KWD has three decimals, but amounts are kept to hundredths: 12.345 KWD would be
    saved as 12.35, so it is refused with the reason (the service's rule, the form's too)."""
    from app.errors import ValidationError
    from app.services import deals, people

    rows = [HEAD, ["k1", "Deal", "A", "o", "12.345", "KWD", "", "", "1", "open"]]
    got = problems(db, write_csv(tmp_path / "k.csv", rows))
    assert [(p.row, p.column) for p in got] == [(2, "amount")]
    assert got[0].message.endswith("at most two decimal places: amounts are kept to hundredths, KWD too")
    rep = people.create_user(db, "Kim", "rep")
    with pytest.raises(ValidationError) as refused:
        deals.create_deal(db, title="Kuwait", owner_id=rep.id, amount="12.345", currency="KWD")
    assert refused.value.errors["amount"].fields == {"currency": "KWD"}
    assert deals.create_deal(db, title="Kuwait", owner_id=rep.id, amount="12.34", currency="KWD").amount \
        == Decimal("12.34")


def test_two_decimals_still_the_rule_for_usd(db, tmp_path):
    rows = [HEAD, ["u1", "Deal", "A", "o", "12.345", "USD", "", "", "1", "open"]]
    got = problems(db, write_csv(tmp_path / "u.csv", rows))
    assert "two decimal places" in got[0].message


def test_duplicate_id_row_still_reports_its_other_problems(db, tmp_path):
    rows = [HEAD, ["d1", "ok", "A", "o", "10", "", "", "", "1", "open"],
            ["d1", "", "A", "o", "ten", "XYZ", "2026-02-31", "", "9", "maybe"]]
    got = problems(db, write_csv(tmp_path / "d.csv", rows))
    assert {(p.row, p.column) for p in got} == {
        (3, "source_id"), (3, "title"), (3, "amount"), (3, "currency"), (3, "expected_close"), (3, "stage"),
        (3, "status")}


def test_plain_integer_in_a_csv_date_column_is_an_error(db, tmp_path):
    rows = [HEAD, ["n1", "Deal", "A", "o", "10", "USD", "46040", "45123", "1", "open"]]
    got = problems(db, write_csv(tmp_path / "n.csv", rows))
    assert {(p.row, p.column) for p in got} == {(2, "expected_close"), (2, "created")}
    assert all("numeric XLSX cell" in p.message for p in got)


def test_xlsx_numeric_date_cell_is_a_serial_but_a_text_cell_is_not(db, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(HEAD)
    ws.append(["x1", "Numeric", "A", "o", 10, "USD", 46040, None, 1, "open"])
    ws.append(["x2", "Text", "A", "o", 10, "USD", "46040", None, 1, "open"])
    path = tmp_path / "d.xlsx"
    wb.save(path)
    got = problems(db, path)
    assert [(p.row, p.column) for p in got] == [(3, "expected_close")]
    ws.delete_rows(3)
    wb.save(path)
    import_file(db, path, preset="generic")
    assert [d.expected_close.isoformat() for d in list_deals(db)] == ["2026-01-18"]


def test_windows_1252_csv_is_refused_then_read_with_encoding(db, tmp_path):
    rows = [HEAD, ["w1", "Ärger mit Müller", "Société Générale", "Zoë", "1500", "EUR", "", "", "1", "open"]]
    path = write_csv(tmp_path / "western.csv", rows, encoding="cp1252")
    got = problems(db, path)
    assert len(got) == 1 and got[0].file == "western.csv" and "--encoding" in got[0].message
    assert str(got[0]).count("western.csv") == 1
    import_file(db, path, preset="generic", encoding="cp1252")
    deal = list_deals(db)[0]
    assert (deal.title, deal.account) == ("Ärger mit Müller", "Société Générale")


def test_an_unknown_encoding_name_is_one_clear_problem(db, tmp_path):
    path = write_csv(tmp_path / "a.csv", [HEAD, ["a1", "Deal", "", "", "", "", "", "", "1", "open"]])
    got = problems(db, path, encoding="klingon")
    assert len(got) == 1 and "'klingon' is not an encoding" in got[0].message


@pytest.mark.parametrize(("name", "content", "words"), [
    ("empty.csv", b"", "the file is empty"),
    ("broken.xlsx", b"not a zip", "not a readable XLSX workbook"),
    ("missing.csv", None, "no such file"),
])
def test_file_errors_name_the_file_once(db, tmp_path, name, content, words):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    got = problems(db, path)
    assert len(got) == 1 and got[0].file == name and words in got[0].message
    assert str(got[0]).count(name) == 1, str(got[0])


def test_the_chosen_encoding_is_the_imported_files_its_companions_are_detected(db, tmp_path):
    """A Salesforce export saved as Windows-1252 beside an Account.csv lookup saved as UTF-8:
    --encoding cp1252 reads the export, and the lookup is still read as UTF-8 (forced to
    cp1252 it would have become 'SociÃ©tÃ© GÃ©nÃ©rale' without a word); a companion that
    detection cannot tell is read with the chosen encoding."""
    opp = write_csv(tmp_path / "Opportunity.csv",
                    [["Id", "Name", "AccountId", "Amount", "StageName", "CloseDate", "CreatedDate"],
                     ["006A", "Café ERP", "001", "100", "Prospecting", "2026-03-01", "2026-01-01"],
                     ["006B", "Müller CRM", "002", "200", "Prospecting", "2026-03-01", "2026-01-01"]],
                    encoding="cp1252")
    write_csv(tmp_path / "Account.csv", [["Id", "Name"], ["001", "Société Générale"]], encoding="utf-8")
    import_file(db, opp, preset="salesforce", encoding="cp1252")
    got = {d.title: d.account for d in list_deals(db)}
    assert got == {"Café ERP": "Société Générale", "Müller CRM": "002"}  # an id the lookup lacks stays


def test_a_companion_file_detection_cannot_tell_is_read_with_the_chosen_encoding(db, tmp_path):
    opp = write_csv(tmp_path / "Opportunity.csv",
                    [["Id", "Name", "AccountId", "Amount", "StageName", "CloseDate", "CreatedDate"],
                     ["006A", "Café ERP", "001", "100", "Prospecting", "2026-03-01", "2026-01-01"]],
                    encoding="cp1252")
    write_csv(tmp_path / "Account.csv", [["Id", "Name"], ["001", "Société Générale"]], encoding="cp1252")
    with pytest.raises(ImportFailed):
        import_file(db, opp, preset="salesforce")  # neither file is detected
    import_file(db, opp, preset="salesforce", encoding="cp1252")
    assert [(d.title, d.account) for d in list_deals(db)] == [("Café ERP", "Société Générale")]
