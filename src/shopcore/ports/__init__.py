"""What the core needs from the world, as abstract interfaces. Imports only the domain."""
