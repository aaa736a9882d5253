"""One small error hierarchy, so front ends can turn any Dateline failure into a polite message."""


class DatelineError(Exception):
    """Base class for every error Dateline raises on purpose."""


class InputError(DatelineError):
    """What the operator gave cannot be used as given (front ends: exit code 2)."""


class SettingsError(InputError):
    """A configuration value is invalid; the message names the variable."""


class KnowledgeError(DatelineError):
    """The knowledge base could not be built or loaded."""


class KnowledgePathError(KnowledgeError, InputError):
    """A knowledge path does not exist, or loads no article: the message names it."""


class QuestionError(InputError):
    """A question cannot be answered as asked (empty, too long, ...)."""


class ReloadInProgressError(KnowledgeError):
    """A reload was requested while another one is still running."""
