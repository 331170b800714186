"""Recorded exchanges with Anam (vcrpy cassettes): recording, scrubbing, matching and replay.

The cassettes in ``cassettes/`` hold what Anam answered to the requests the
contract is about, and the video track its avatar published, so that any plugin
can be judged against them with the network blocked.
"""
