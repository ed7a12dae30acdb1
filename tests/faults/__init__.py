"""Fault-matrix tests: every transport and protocol fault through the public API, on a scripted loopback server."""
