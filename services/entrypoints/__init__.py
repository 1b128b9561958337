"""The entry points: the `redress` command and its subcommands, the roles `redress serve`
runs, the API's worker supervisor and the demo data. Nothing imports them but each other."""
