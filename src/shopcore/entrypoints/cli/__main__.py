"""`python -m shopcore.entrypoints.cli`: the `shopcore` command."""

from shopcore.entrypoints.cli.main import main

main(prog_name="shopcore")
