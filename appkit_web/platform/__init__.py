"""Platform services over HTTP (jobs, secrets, model serving, vector search, Genie).

Every call goes through one :class:`~appkit_web.platform.gate.PlatformGate`:
the policy says who may, a per-user bucket limits how often, the call runs
as the identity it declares (the user's token or the app's service
principal, never silently the other), and one audit event records who did
what on which object with the input's hash only.
"""
