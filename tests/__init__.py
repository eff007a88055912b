"""Tests of the relations command-line tool."""
