"""A payment provider simulator honouring Stripe's test payment methods: the embedded default."""
