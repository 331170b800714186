"""A run of the suite, as pytest hooks: the implementation, its checks, their outcomes, the verdict.

Registered by the entry point (:mod:`anam_conformance.pytest_plugin`) only in
runs that judge; nothing here is imported by any other pytest session.
"""
