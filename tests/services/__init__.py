"""app/services: the transaction helper and the commands built on it (accounts, editing)."""
