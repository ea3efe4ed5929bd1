"""The error every ingestion module raises for a broken delivery (its own module: no import cycles)."""


class DeliveryError(Exception):
    """A broken delivery. The message names system, business date, file and what is wrong
    (row/line and field where relevant), never the value of an ID or phone field."""
