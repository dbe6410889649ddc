"""Every named URL pattern of the project, read from the URL configuration (``get_resolver()``)."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name"
    route: str  # the pattern text, for messages
    kwargs: tuple[str, ...]
    callback: object

    @property
    def namespace(self) -> str:
        return self.name.rpartition(":")[0]


def _kwarg_names(pattern) -> list[str]:
    converters = getattr(pattern, "converters", None)
    if converters is not None:
        return list(converters)
    return list(pattern.regex.groupindex)


def walk(resolver=None, prefix: str = "", namespace: str = "", kwargs: tuple = ()) -> list[Route]:
    resolver = resolver or get_resolver()
    out: list[Route] = []
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = ":".join(p for p in (namespace, entry.namespace) if p)
            out += walk(entry, prefix + str(entry.pattern), ns, kwargs + tuple(_kwarg_names(entry.pattern)))
        elif isinstance(entry, URLPattern):
            name = ":".join(p for p in (namespace, entry.name or "") if p) if entry.name else f"{namespace}:<unnamed>"
            out.append(Route(name, prefix + str(entry.pattern), kwargs + tuple(_kwarg_names(entry.pattern)), entry.callback))
    return out

