"""Helpers for the background-task tests: a real SMTP server, the database task backend, forms.

`SMTPServer` listens on a free loopback port in a thread. Held, it accepts connections and
says nothing (a mail server that has hung); released, it speaks enough SMTP for smtplib and
keeps what it receives. `flaky` is a task the worker subprocess can import.
"""

import contextlib
import email
import email.policy
import socket
import threading
from pathlib import Path

from django.tasks import task_backends
from django_tasks_db import DatabaseBackend

from tasks.base import durable_task
from tests.forms import Forms


class SMTPServer:
    def __init__(self, *, hold: bool = False):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.answering = threading.Event()
        if not hold:
            self.answering.set()
        self.connections = 0
        self.messages: list[email.message.EmailMessage] = []
        self.received = threading.Condition()
        self.closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def release(self):
        """Start answering, the connections already waiting included."""
        self.answering.set()

    def close(self):
        self.closed = True
        self.answering.set()
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread
        self.listener.close()

    def wait_for(self, count: int, timeout: float = 30) -> list:
        with self.received:
            self.received.wait_for(lambda: len(self.messages) >= count, timeout)
        return self.messages

    def _accept(self):
        while not self.closed:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        with conn, conn.makefile("rb") as lines:
            self.answering.wait()
            if self.closed:
                return
            conn.sendall(b"220 localhost test SMTP\r\n")
            for raw in lines:
                command = raw.decode("ascii", "replace").strip().upper()
                if command.startswith(("EHLO", "HELO")):
                    conn.sendall(b"250-localhost\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")
                elif command == "DATA":
                    conn.sendall(b"354 go ahead\r\n")
                    data = b""
                    for part in lines:
                        if part in (b".\r\n", b".\n"):
                            break
                        data += part[1:] if part.startswith(b"..") else part
                    message = email.message_from_bytes(data, policy=email.policy.default)
                    with self.received:
                        self.messages.append(message)
                        self.received.notify_all()
                    conn.sendall(b"250 queued\r\n")
                elif command == "QUIT":
                    conn.sendall(b"221 bye\r\n")
                    return
                else:  # MAIL FROM, RCPT TO, RSET, NOOP
                    conn.sendall(b"250 ok\r\n")


def smtp_mailers(server: SMTPServer, timeout: float = 10) -> dict:
    return {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": server.port, "timeout": timeout},
        }
    }


@contextlib.contextmanager
def database_task_backend():
    """Store tasks with django-tasks-db instead of running them at once (as production does)."""
    backend = DatabaseBackend("default", {"QUEUES": ["default", "mail", "images"]})
    previous = task_backends["default"]
    task_backends["default"] = backend
    try:
        yield backend
    finally:
        task_backends["default"] = previous


def page_form(html: str, action: str | None = None, *, form_id: str | None = None) -> dict:
    """The fields (and their values) of the page's form that posts to `action` (or has the id
    `form_id`), read as a browser would (tests/forms.py)."""
    parser = Forms()
    parser.feed(html)
    parser.close()
    for form in parser.forms:
        found_action, found_id = form["attrs"].get("action") or "", form["attrs"].get("id") or ""
        if (form_id is not None and found_id == form_id) or (
            form_id is None and found_action.split("#")[0] == action
        ):
            return dict(form["fields"])
    raise AssertionError(f"no form {form_id or action} in the page")


@durable_task(max_attempts=3)
def flaky(counter: str, failures: int) -> int:
    """Fail the first `failures` times it runs (counted in the file `counter`), then succeed."""
    path = Path(counter)
    runs = int(path.read_text() or 0) + 1 if path.exists() else 1
    path.write_text(str(runs))
    if runs <= failures:
        raise RuntimeError(f"failure {runs} of {failures}")
    return runs
