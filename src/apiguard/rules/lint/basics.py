"""Basic lint rules. `spec-invalid` findings are produced by validation while loading; this
module holds rules that judge a loaded spec on its own."""

from __future__ import annotations
