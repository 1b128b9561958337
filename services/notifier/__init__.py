"""The notifier: how merchants and other systems learn what happened to their cases.

- `fanout`: follows the event log (tracked position, exactly once) and writes one durable
  delivery row per matching webhook subscription, and one outbox row per email.
- `delivery`: workers claim due rows (`FOR UPDATE SKIP LOCKED` on PostgreSQL) and POST the
  CloudEvents envelope, signed the Standard Webhooks way, in order per case and endpoint.
- `subscriptions`: the subscriptions, their delivery log and recovery (the API's side).
- `feed`: the event feed, CloudEvents over all history in the caller's scope.
- `email`: templated mails over SMTP.
"""
