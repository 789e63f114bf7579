"""The office's intranet inbox: departments upload registers and see their findings at
once; the office watches every department's status and downloads the ranking.

A layer on top, beside the command line, on the same public API and batch: ``db`` (the
SQLite database: schema in ``sql/``), ``files`` (the content-addressed file store and the
streamed upload), ``access`` (codes, sessions, the brake on guessing), ``checking`` (the
worker processes), ``ledger`` (what counts, and the months as ``consolidate`` makes them),
``service`` (an inbox on disk), ``views`` (each page's data), ``web``, ``app`` and
``downloads`` (the ASGI application: pages, JSON twins, API).
"""
