"""The ``missionflow`` command line: a thin layer over the public ``missionflow`` API."""
