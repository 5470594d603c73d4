"""The Reflex dashboard: speaks only GraphQL to the API."""
