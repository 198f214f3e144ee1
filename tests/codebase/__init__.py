"""The code itself: the layers (an import allowlist and checks on the syntax tree), lint, types."""
