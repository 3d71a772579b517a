"""Continuing-education audits. (To be built.)"""

from __future__ import annotations
