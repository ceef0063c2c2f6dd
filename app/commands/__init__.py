"""One module per command-line sub-command: HELP, configure(parser), run(args) -> exit code."""
