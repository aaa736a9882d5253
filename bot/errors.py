"""One small error hierarchy, so front ends can turn any Dateline failure into a polite message."""


class DatelineError(Exception):
    """Base class for every error Dateline raises on purpose."""


class SettingsError(DatelineError):
    """A configuration value is invalid; the message names the variable."""


class KnowledgeError(DatelineError):
    """The knowledge base could not be built or loaded."""


class QuestionError(DatelineError):
    """A question cannot be answered as asked (empty, too long, ...)."""


class ReloadInProgressError(KnowledgeError):
    """A reload was requested while another one is still running."""
