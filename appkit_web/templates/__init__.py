"""Project templates for ``lakehouse-appkit create`` (package data, not importable code).

``common/`` holds the files every project gets; each template's layers
(``governed-api``, ``dq-exceptions``, ``risk-overrides``, ``write-back``,
``api``, ``admin``, ``analytics``, ``dashboard``) add or replace files;
``components/`` holds what ``lakehouse-appkit add`` writes. ``PKG`` in a path becomes the project's package
name, a trailing ``.tmpl`` is dropped, and ``{{name}}`` placeholders are
filled by :mod:`appkit_web.cli.create`.
"""
