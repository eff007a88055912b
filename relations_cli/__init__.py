"""relations: exact, citable facts about the relations between Pakistan and Azerbaijan."""

__version__ = "0.1.0"
