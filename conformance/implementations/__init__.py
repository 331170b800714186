"""The implementations under test, each behind the one port (:mod:`anam_conformance.port`).

Two adapters: a Python module run in the suite's own process
(:mod:`.in_process`), and a program in any language driven out of process over
the JSON-lines driver protocol (:mod:`.driven`, ``drivers/PROTOCOL.md``).
:mod:`.loading` turns ``--anam-plugin`` into one of them; nothing above this
package asks which it got.
"""
