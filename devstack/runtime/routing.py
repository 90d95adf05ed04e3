"""API Gateway REST resource matching: a literal segment beats ``{param}``, beating ``{proxy+}``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

_LITERAL, _PARAMETER, _GREEDY = 0, 1, 2


@dataclass(frozen=True)
class RouteMatch:
    resource_path: str  # the template, e.g. "/items/{item_id}"
    path_parameters: dict[str, str]


@dataclass(frozen=True)
class _Template:
    resource_path: str
    segments: tuple[str, ...]


def split_path(path: str) -> list[str]:
    # Empty segments (a trailing or doubled slash) do not select a different resource.
    return [segment for segment in path.split("/") if segment]


class Router:
    def __init__(self, resource_paths: Iterable[str]) -> None:
        self._templates = [
            _Template(resource_path, tuple(split_path(resource_path)))
            for resource_path in sorted(resource_paths)
        ]

    def match(self, path: str) -> RouteMatch | None:
        segments = split_path(path)
        best: tuple[tuple[int, ...], RouteMatch] | None = None
        for template in self._templates:
            matched = _match(template, segments)
            if matched is not None and (best is None or matched[0] < best[0]):
                best = matched
        return best[1] if best else None


def _match(template: _Template, segments: list[str]) -> tuple[tuple[int, ...], RouteMatch] | None:
    ranks: list[int] = []
    parameters: dict[str, str] = {}
    for index, pattern in enumerate(template.segments):
        is_parameter = pattern.startswith("{") and pattern.endswith("}")
        if is_parameter and pattern.endswith("+}"):
            if index != len(template.segments) - 1 or index >= len(segments):
                return None  # a greedy variable is last and takes at least one segment
            parameters[pattern[1:-2]] = "/".join(segments[index:])
            ranks.append(_GREEDY)
            return tuple(ranks), RouteMatch(template.resource_path, parameters)
        if index >= len(segments):
            return None
        if is_parameter:
            parameters[pattern[1:-1]] = segments[index]
            ranks.append(_PARAMETER)
        elif pattern == segments[index]:
            ranks.append(_LITERAL)
        else:
            return None
    if len(segments) != len(template.segments):
        return None
    return tuple(ranks), RouteMatch(template.resource_path, parameters)
