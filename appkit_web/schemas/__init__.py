"""Request and response bodies of the HTTP API (pydantic lives only in the web layer).

Inputs forbid unknown fields, so clients can never set governance fields
(status, requester, approvers, timestamps).
"""
