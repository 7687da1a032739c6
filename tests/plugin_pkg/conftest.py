"""The test plugin is a package to install, not tests: keep pytest (and its doctest collection) out."""

collect_ignore_glob = ["*"]
