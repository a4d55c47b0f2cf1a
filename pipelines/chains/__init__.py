"""Chain adapters: fetch (I/O, retries, rate limits) and decode (pure: wire JSON -> Arrow)."""
