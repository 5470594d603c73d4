"""Signed webhooks for adapters that cannot speak GraphQL; they feed the same accept path as the mutations."""
