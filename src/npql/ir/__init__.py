"""Intermediate form shared by every engine."""
