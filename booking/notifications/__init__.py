"""Notifications, the sending side: what each one says, and its delivery (called by the worker).

How a message flows:

1. A change (booking, reschedule, cancellation, contact message, "Manage my
   booking" request) adds its notification rows (``booking.outbox``) in the same
   transaction as the change itself: both are stored, or neither.
2. Straight after the commit, and every ``OUTBOX_RELAY_SECONDS`` from the
   scheduler as a safety net, the relay (``booking.outbox.relay``) hands the ids
   of due rows to the worker as ``notifications.deliver`` tasks. If the broker is
   down the change still succeeds; its rows wait and the next relay hands them over.
3. The worker (``delivery``) claims the row, re-checks what it is about, renders
   the message (``messages``: the kind's entry in ``kinds``, its maker in
   ``drafts``), sends it on its channel (``channels``) and marks it sent; see
   ``delivery`` for what this guarantees.
"""
