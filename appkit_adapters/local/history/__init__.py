"""Delta table versions on the local engine.

Every committed write makes a new version of each table it changed, kept in the
table's own catalog database (so it commits with the write and survives restarts):
:mod:`.registry` (where versions live), :mod:`.rows` (row images kept in step with
each write), :mod:`.transaction` (one version per table per transaction),
:mod:`.travel` (``VERSION AS OF`` / ``TIMESTAMP AS OF``), :mod:`.commands` and
:mod:`.operations` (``DESCRIBE HISTORY``/``DETAIL``, ``RESTORE``, ``OPTIMIZE``,
``VACUUM``).
"""
