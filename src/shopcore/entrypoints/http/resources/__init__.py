"""flask-smorest blueprints, one per area."""
