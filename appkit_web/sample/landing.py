"""The landing page at ``/``: what the app does and where its API is."""

LANDING_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Lakehouse AppKit sample governed app</title>
<style>body{font-family:system-ui,sans-serif;max-width:46rem;margin:3rem auto;line-height:1.5}
code{background:#f3f3f3;padding:0 .25rem}</style></head>
<body>
<h1>Sample governed app</h1>
<p>This app puts maker-checker governance in front of lakehouse data:</p>
<ul>
<li><b>Metric overrides</b>: a data steward proposes a replacement value; risk approvers
approve it (two of them when it moves the value by more than 10%).</li>
<li><b>Write-back</b>: changes to <code>demo.crm.customers.tier</code> are approved, then
applied only if the row has not changed meanwhile.</li>
<li><b>Data-quality exceptions</b>: failed checks are ingested, acknowledged, resolved, or
waived with an approval.</li>
<li><b>Audit</b>: every step lands in a hash-chained log that auditors can verify.</li>
</ul>
<p>Demo users (dev identity, send <code>X-Forwarded-Email</code> from this machine):
alice (maker), bob and carol (approvers), dave (read-only), auditor.</p>
<p>The governance console (inbox, requests, DQ exceptions, audit trail):
<a href="/console">/console</a>.
The HTTP API and its examples: <a href="/docs">/docs</a> (also <a href="/redoc">/redoc</a>).
Health: <a href="/api/health">/api/health</a>.</p>
</body></html>
"""
