import pytest

from appkit_domain.errors import InvalidInput
from appkit_domain.identifiers import TableName, quote, quote_name


def test_valid_names_are_backtick_quoted() -> None:
    assert quote("customers") == "`customers`"
    assert quote_name("demo", "crm") == "`demo`.`crm`"
    assert TableName.parse("demo.crm.customers").quoted == "`demo`.`crm`.`customers`"


@pytest.mark.parametrize(
    "bad",
    ["", "a b", "a`b", "x;DROP TABLE y", "1abc", "tbl--", "a.b", "é", "a" * 256, "`x`"],
)
def test_unsafe_identifiers_are_refused_not_escaped(bad: str) -> None:
    with pytest.raises(InvalidInput):
        quote(bad)


@pytest.mark.parametrize("bad", ["demo.crm", "demo.crm.customers.x", "demo..customers"])
def test_table_names_need_exactly_three_valid_parts(bad: str) -> None:
    with pytest.raises(InvalidInput):
        TableName.parse(bad)
