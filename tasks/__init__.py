"""Background work: Django's Tasks framework with retries, request ids and a watched worker.

`tasks.base.durable_task` makes a task that is retried with back-off, logs under the request id
that enqueued it, and can run at most once (`once=True`, for side effects such as mail).
The worker (`manage.py run_worker`) writes a heartbeat that `/healthz/tasks` reads; failed tasks
are listed in the admin with a Retry action.

This app is project infrastructure, like `config`: it reads the request id from `config.logs`.
"""
