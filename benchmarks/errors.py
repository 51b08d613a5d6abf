"""The one exception type that reaches a user as a one-line message and exit status 2."""


class UserError(Exception):
    """Bad input: the message names the cause and the fix, on one line."""
