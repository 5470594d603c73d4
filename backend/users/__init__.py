"""Dashboard users: hashed passwords, a role that maps to API scopes, and login sessions."""
