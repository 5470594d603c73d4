"""Live data: one GraphQL subscription consumer per dashboard process, fanned out to the sessions watching."""
