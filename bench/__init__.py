"""Meridian performance benchmarks (`make bench`, see docs/benchmarks.md)."""
