"""Dev identity on the databricks backend: who the dev users are there, and their tokens.

Reads on behalf of a user (SQL, Unity Catalog) need that user's own token,
and governed checks need the user to exist in the workspace. At start-up in
dev identity:

- on the emulated workspace (it answers ``/_emulator/stats``) with ``--demo``,
  every demo user is registered with their groups through
  ``/_emulator/principals`` and the dev directory holds their tokens; the demo
  tables are granted to every user (``account users``: dave, in no group,
  reads them too) and the customers table to the app for write-back;
- on a real workspace, the developer (whoever the configured token or profile
  is) joins the dev directory, labelled as such, acting with that token.

Principal names in GRANT statements come from the workspace (SCIM), never
from a request; they are backtick-quoted.
"""

from __future__ import annotations

import logging

from appkit_adapters.databricks import DatabricksWorkspace
from appkit_adapters.databricks.directory import SCIM, principal_from_scim
from appkit_adapters.sql.warehouse import SqlWarehouse
from appkit_domain.errors import AppkitError, NotFound
from appkit_domain.identifiers import TableName, quote
from appkit_domain.principal import Principal
from appkit_web.identity.configured_directory import DevDirectory
from appkit_web.sample.permissions import ALL_USERS, DEMO_TABLES

EMULATOR_PROBE = "/_emulator/stats"
EMULATOR_PRINCIPALS = "/_emulator/principals"
DEVELOPER_NOTE = "you: the configured token or profile"
_log = logging.getLogger("appkit_web.sample.dev_people")


def principal_name(name: str) -> str:
    """A principal as a GRANT names it: backtick-quoted, backticks doubled."""
    return "`" + name.replace("`", "``") + "`"


def demo_grants(app_principal: str) -> list[str]:
    """Reads of the demo tables to every user; SELECT and MODIFY on customers to the app."""
    tables = [TableName.parse(name) for name in DEMO_TABLES]
    everyone = principal_name(ALL_USERS)
    statements = [f"GRANT USE CATALOG ON CATALOG {quote(tables[0].catalog)} TO {everyone}"]
    for schema in sorted({(t.catalog, t.schema) for t in tables}):
        statements.append(
            f"GRANT USE SCHEMA ON SCHEMA {quote(schema[0])}.{quote(schema[1])} TO {everyone}"
        )
    statements += [f"GRANT SELECT ON TABLE {t.quoted} TO {everyone}" for t in tables]
    customers = TableName.parse("demo.crm.customers")
    statements.append(
        f"GRANT SELECT, MODIFY ON TABLE {customers.quoted} TO {principal_name(app_principal)}"
    )
    return statements


async def is_emulated(workspace: DatabricksWorkspace) -> bool:
    """Whether the workspace is the emulated one (and the app's token may drive it)."""
    try:
        await workspace.http.get(EMULATOR_PROBE)
    except AppkitError:
        return False
    return True


async def register_demo_people(workspace: DatabricksWorkspace, directory: DevDirectory) -> int:
    """Declare every dev-directory user in the emulator (again, if it knows them) and keep
    the token it issues; returns how many."""
    for person in directory.principals:
        body = {
            "name": person.email,
            "display_name": person.display_name,
            "groups": sorted(person.groups),
            "exists_ok": True,
        }
        reply = await workspace.http.post(EMULATOR_PRINCIPALS, body)
        directory.give_token(person.id, str(reply["token"]))
    return len(directory.principals)


async def grant_demo_tables(warehouse: SqlWarehouse, app_principal: str) -> None:
    for statement in demo_grants(app_principal):
        await warehouse.execute(statement)


async def admit_developer(
    workspace: DatabricksWorkspace, directory: DevDirectory, id_prefix: str
) -> Principal:
    """The configured credentials' own user, added to the dev directory with their token."""
    me = principal_from_scim(await workspace.http.get(f"{SCIM}/Me"))
    headers = await workspace.http.credentials.headers()
    token = headers.get("Authorization", "").removeprefix("Bearer ").strip()
    try:
        known = await directory.find(me.email)
    except NotFound:
        known = Principal(
            id=f"{id_prefix}{me.email}",
            email=me.email,
            display_name=f"{me.display_name or me.email} (developer)",
            kind=me.kind,
            groups=me.groups,
        )
        directory.add(known, note=DEVELOPER_NOTE)
    if token:
        directory.give_token(known.id, token)
    return known


async def admit_dev_people(
    workspace: DatabricksWorkspace,
    directory: DevDirectory,
    *,
    demo: bool,
    app_principal: str,
    id_prefix: str,
) -> str:
    """Make the dev users real on this workspace (see the module docstring); says what it did."""
    if await is_emulated(workspace):
        if not demo:
            return "emulated workspace without --demo: dev users have no workspace tokens"
        count = await register_demo_people(workspace, directory)
        await grant_demo_tables(workspace.warehouse, app_principal)
        return f"registered {count} demo users in the emulated workspace"
    developer = await admit_developer(workspace, directory, id_prefix)
    return f"dev identity can act as {developer.email} ({DEVELOPER_NOTE})"
