"""Generated validators, one module per schema (see meridian.validators)."""
