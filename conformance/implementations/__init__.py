"""Implementations under test, each behind the same harness.

Implementation -> harness -> Anam double: an implementation is either a Python
module driven in-process (:class:`anam_conformance.target.PluginTarget`) or one in
another language driven out of process over the JSON-lines driver protocol
(:class:`.driver_target.DriverTarget`, ``drivers/PROTOCOL.md``). The harness
(``conformance/harness/``) starts either against the same Anam double and the
same simulated avatar, and the checks judge the same language-neutral facts.
"""
