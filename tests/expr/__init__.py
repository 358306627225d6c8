"""Tests for apiary.expr (a package so that module names cannot clash with other test folders)."""
