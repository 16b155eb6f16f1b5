"""Redis adapters: short timeouts, a circuit breaker, and a fallback when Redis is away."""
