"""Rule functions, grouped by OpenAPI area (compat) and lint family (lint)."""
