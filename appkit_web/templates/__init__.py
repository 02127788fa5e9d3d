"""Project templates for ``lakehouse-appkit create`` (package data, not importable code).

``common/`` holds the files every project gets; each template folder
(``governed-api``, ``dq-exceptions``, ``risk-overrides``, ``write-back``)
adds or replaces files. ``PKG`` in a path becomes the project's package
name, a trailing ``.tmpl`` is dropped, and ``{{name}}`` placeholders are
filled by :mod:`appkit_web.cli.create`.
"""
