"""The terminal front end: the `dateline` command (`main`), its sub-commands and their rich
output. Run `dateline --help`."""
