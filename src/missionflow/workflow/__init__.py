"""The generic workflow engine: definitions, their validation and how they travel to other tools."""
