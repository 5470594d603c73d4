"""Shared GraphQL plumbing: schema assembly, context, permissions, errors, pagination."""
