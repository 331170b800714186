"""Plugins that attack the judge instead of the contract.

Each is a drop-in plugin (the reference's surface) that declares in ``BREAKS``
the clauses it really breaks on the wire (none, for most), and in its
docstring what it does to the judge. The suite must give exactly the verdict
those clauses make, keep every file of the suite byte-identical and write its
reports, whatever the attack (``tests/test_tampering.py``, in the sandbox).
"""
