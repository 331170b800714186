"""The drivers of implementations in other languages, and their protocol (PROTOCOL.md).

A data package in the distribution (``anam_conformance.drivers``), so an installed
suite runs the same driver files as a checkout.
"""
