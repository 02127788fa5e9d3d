"""Generated-code samples: one good endpoint and its test, and how each guardrail is broken."""

from __future__ import annotations

GOOD_MODULE = '''"""Greets a caller by name."""

from fastapi import APIRouter
from pydantic import BaseModel

router = APIRouter(prefix="/hello")


class Greeting(BaseModel):
    text: str


@router.get("", response_model=Greeting)
async def hello(name: str = "world") -> Greeting:
    return Greeting(text=f"hello {name}")
'''

GOOD_TEST = """from fastapi import FastAPI
from fastapi.testclient import TestClient

from routers.hello import router


def test_hello_greets_by_name():
    app = FastAPI()
    app.include_router(router)
    response = TestClient(app).get("/hello", params={"name": "ada"})
    assert response.status_code == 200
    assert response.json() == {"text": "hello ada"}
"""


def answer(module: str = GOOD_MODULE, test: str = GOOD_TEST) -> str:
    """A model's answer: prose around the two fenced blocks, as models write it."""
    return f"Here is the endpoint.\n\n```python\n{module}```\n\nAnd its test:\n\n```python\n{test}```\n"


BROKEN = {
    "parses": GOOD_MODULE.replace("async def hello(", "async def hello(("),
    "imports": GOOD_MODULE.replace(
        "from fastapi import APIRouter", "import subprocess\nfrom fastapi import APIRouter"
    ),
    "secrets": GOOD_MODULE.replace(
        'router = APIRouter(prefix="/hello")',
        'router = APIRouter(prefix="/hello")\nAPI_KEY = "sk-ant-api03-0123456789abcdefghijklmnop"',
    ),
    "ruff": GOOD_MODULE.replace(
        'return Greeting(text=f"hello {name}")', "return Greeting(text=str(eval(name)))"
    ),
}
BROKEN_SQL = GOOD_MODULE.replace(
    'return Greeting(text=f"hello {name}")',
    'query = "SELECT greeting FROM greetings WHERE name = \'" + name + "\'"\n'
    "    return Greeting(text=query)",
)
FAILING_TEST = GOOD_TEST.replace('{"text": "hello ada"}', '{"text": "goodbye ada"}')
