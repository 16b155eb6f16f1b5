"""Password hashing (bcrypt), tokens (PyJWT, itsdangerous) and login throttling (limits)."""
