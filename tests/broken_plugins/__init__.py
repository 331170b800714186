"""Deliberately broken Anam plugins: each breaks one thing the way a real change might.

Every module is a drop-in plugin (it re-exports the reference's surface) that
declares in ``BREAKS`` the clauses the suite must fail it on.
"""
