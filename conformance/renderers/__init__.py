"""Renderings of the JSON clause report for the places a verdict is read.

Each renderer takes the report as written by ``--conformance-report`` (a plain
mapping), never live pytest objects, so a report can be rendered again later,
on another machine, or alongside reports of other plugin versions.
"""
