"""shopcore as a library: the use cases, with no Flask in sight."""

from __future__ import annotations

from typing import Any

from shopcore.settings import MEMORY, Settings


class App:
    """The shop's use cases as methods: `App.in_memory().register_user(...)`."""

    def __init__(self, settings: Settings) -> None:
        from shopcore.bootstrap import build

        self.settings = settings
        self.container = build(settings)

    @classmethod
    def in_memory(cls, **overrides: Any) -> App:
        """Every port in memory: nothing touches the disk or the network."""
        base = Settings(database_url=MEMORY, mailer="memory", event_bus="memory")
        return cls(base.with_(**overrides))

    @classmethod
    def from_env(cls) -> App:
        """Adapters as the SHOPCORE_* environment variables choose."""
        return cls(Settings.from_env())

    def __getattr__(self, name: str) -> Any:
        provider = getattr(self.container.use_cases, name, None)
        if provider is None or name.startswith("_"):
            raise AttributeError(name)
        return provider()

    def use_cases(self) -> list[str]:
        """The names of every use case this App offers."""
        from dependency_injector import providers

        found = self.container.use_cases().providers.items()
        return sorted(str(n) for n, p in found if isinstance(p, providers.Factory))

    def close(self) -> None:
        self.container.shutdown_resources()

    def __enter__(self) -> App:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
