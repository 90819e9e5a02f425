"""Email: SMTP sending (``mail``), digest composition (``digest``), subscriptions
(``subscriptions``), scheduling and the delivery ledger (``schedule``), the worker (``worker``)."""
