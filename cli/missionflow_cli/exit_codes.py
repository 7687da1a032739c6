"""The documented exit codes of ``missionflow`` (kept tiny: the root command imports it at start-up)."""

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_BLOCKED = 3
EXIT_NOT_ALLOWED = 4
EXIT_NOT_FOUND = 5
EXIT_CONCURRENT = 6
EXIT_INVALID_WORKFLOW = 7
EXIT_CONFLICT = 8

EXIT_CODES_HELP = """\b
Exit codes:
  0  success
  1  any other failure
  2  usage error or invalid value (amounts: plain decimals like 1350.50,
     no separators, no rounding; percentages 30% or 30; nothing dated ahead)
  3  transition blocked by a guard (reasons on stderr)
  4  trigger not allowed from the current state
  5  not found (mission, client, workflow, invoice)
  6  concurrent update: try again
  7  invalid workflow definition
  8  refused by a rule of the trade (already invoiced, nothing due, no
     identity on invoices, a blocked client...)"""
