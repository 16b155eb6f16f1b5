"""In-memory adapters for every port: real adapters held to the same contract tests."""
