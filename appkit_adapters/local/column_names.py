"""Result column names as Databricks gives them to unaliased expressions.

Databricks names a projection that has no alias after its expression, written its own
way: functions in lower case with their arguments (``upper(abc)``: string literals lose
their quotes), ``count(*)`` as ``count(1)``, operators in parentheses (``(a + 1)``),
columns without their table qualifier. DuckDB names them differently, so every
unaliased projection gets Databricks' name as an explicit alias before the statement
is rewritten for DuckDB.
"""

from __future__ import annotations

from typing import Any

from sqlglot import exp
from sqlglot.dialects.databricks import Databricks


class _Naming(Databricks):
    class Generator(Databricks.Generator):  # type: ignore[valid-type,misc]
        TRANSFORMS = {
            **Databricks.Generator.TRANSFORMS,
            exp.CurrentCatalog: lambda *_: "current_catalog()",
            exp.CurrentDatabase: lambda *_: "current_database()",
            exp.CurrentSchema: lambda *_: "current_schema()",
            exp.CurrentUser: lambda *_: "current_user()",
            exp.SessionUser: lambda *_: "session_user()",
            exp.CurrentDate: lambda *_: "current_date()",
            exp.CurrentTimestamp: lambda *_: "current_timestamp()",
        }

        def literal_sql(self, expression: exp.Literal) -> str:
            if expression.is_string:
                return str(expression.this)
            return str(super().literal_sql(expression))

        def identifier_sql(self, expression: exp.Identifier) -> str:
            return str(expression.this)

        def column_sql(self, expression: exp.Column) -> str:
            return str(self.sql(expression, "this"))

        def star_sql(self, expression: exp.Star) -> str:
            return "*"

        def count_sql(self, expression: exp.Count) -> str:
            if isinstance(expression.this, exp.Star) or expression.this is None:
                return "count(1)"
            return str(self.function_fallback_sql(expression))

        def binary(self, expression: exp.Binary, op: str) -> str:
            return f"({super().binary(expression, op)})"

        def intdiv_sql(self, expression: exp.IntDiv) -> str:
            return f"({self.sql(expression, 'this')} div {self.sql(expression, 'expression')})"

        def paren_sql(self, expression: exp.Paren) -> str:
            inner = self.sql(expression, "this")
            return str(inner) if isinstance(expression.this, exp.Binary) else f"({inner})"

        def boolean_sql(self, expression: exp.Boolean) -> str:
            return "true" if expression.this else "false"

        def neg_sql(self, expression: exp.Neg) -> str:
            if isinstance(expression.this, exp.Literal) and not expression.this.is_string:
                return f"-{self.sql(expression, 'this')}"
            return f"(- {self.sql(expression, 'this')})"

        def not_sql(self, expression: exp.Not) -> str:
            return f"(NOT {self.sql(expression, 'this')})"

        def lambda_sql(
            self, expression: exp.Lambda, arrow_sep: str = "->", wrap: bool = True
        ) -> str:
            names = ", ".join(self.sql(e) for e in expression.expressions)
            return f"lambdafunction({self.sql(expression, 'this')}, {names})"

        def cast_sql(self, expression: exp.Cast, safe_prefix: str | None = None) -> str:
            value = expression.this
            if (
                isinstance(value, exp.Literal)
                and value.is_string
                and expression.to.is_type("date", "timestamp", "timestamptz", "timestampntz")
            ):
                kind = "DATE" if expression.to.is_type("date") else "TIMESTAMP"
                if expression.to.is_type("timestampntz"):
                    kind = "TIMESTAMP_NTZ"
                return f"{kind} '{value.this}'"
            return str(super().cast_sql(expression, safe_prefix))


_NAMING = _Naming()


def databricks_name(expression: exp.Expression) -> str:
    """The column name Databricks gives ``expression`` when it has no alias."""
    if isinstance(expression, exp.Column):
        return expression.name
    options: dict[str, Any] = {"normalize_functions": "lower", "pretty": False}
    return str(_NAMING.generate(expression, **options))


def name_projections(tree: exp.Expression) -> None:
    """Alias every unaliased projection of every SELECT with its Databricks name, in place."""
    for select in tree.find_all(exp.Select):
        projections = []
        for projection in select.expressions:
            if not isinstance(projection, (exp.Alias, exp.Column, exp.Star)) and not (
                isinstance(projection, exp.Dot)
            ):
                projection = exp.alias_(
                    projection, databricks_name(projection), quoted=True, copy=False
                )
            projections.append(projection)
        select.set("expressions", projections)
