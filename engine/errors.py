"""Typed errors of the engine. Each carries a message a person can act on."""


class EngineError(Exception):
    """Base of every error the engine raises on purpose."""

    status = 400

    def __init__(self, message: str, *, element: str | None = None):
        super().__init__(message)
        self.message = message
        self.element = element


class InvalidDiagram(EngineError):
    """A BPMN document the engine will not deploy."""

    status = 422

    def __init__(self, message: str, *, problems: list[dict] | None = None, element: str | None = None):
        super().__init__(message, element=element)
        self.problems = problems or [{"element": element, "message": message}]


class NotFound(EngineError):
    status = 404


class TaskNotReady(EngineError):
    """The task was completed, cancelled or never became ready."""

    status = 409


class InstanceNotRunning(EngineError):
    status = 409


class ScriptError(EngineError):
    """Code in a diagram (script, condition, timer, collection) failed or was refused."""

    status = 422


class MigrationRefused(EngineError):
    """A running instance cannot move to another version of its definition; the message says why."""

    status = 409


class DataNotStorable(ScriptError):
    """A value that task data cannot hold (``engine.data``); ``variable`` names the variable it sits in."""

    def __init__(self, message: str, *, variable: str, element: str | None = None):
        super().__init__(message, element=element)
        self.variable = variable
