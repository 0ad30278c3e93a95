"""What the tests and the tools (bench, security scan, accessibility report) share:
the production stack started on 127.0.0.1 (live), a form as a browser sends it back
(forms), and one representative address of every kind of public page (page_types).
Never imported by the site itself (import-linter keeps it so)."""
