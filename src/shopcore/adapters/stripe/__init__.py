"""Stripe: the gateway (the one module importing `stripe`), and Stripe's formats in plain Python."""
