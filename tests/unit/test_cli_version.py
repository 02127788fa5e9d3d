from typer.testing import CliRunner

from appkit_web import __version__
from appkit_web.cli import app


def test_version_flag_prints_the_version() -> None:
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"lakehouse-appkit {__version__}"
