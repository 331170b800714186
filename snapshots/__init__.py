"""Evidence of the conformance suite, installed as the data package anam_conformance.evidence.snapshots.

The file makes this folder a regular package so an editable install resolves the
package name to this folder (see conformance/evidence/__init__.py).
"""
