"""`klaxon up --data DIR`: the emulated AWS state kept on disk, so a restart resumes where it stopped.

What is kept, and how:
- DynamoDB items and S3 objects: every write names the item it touched (klaxon.local.emulation); a
  flusher thread appends each touched item's current value (or its deletion) to a journal a few
  times a second. On start the journal is replayed into the fresh tables and compacted.
- Pending timers: every Step Functions wait (an escalation's next step, an acknowledgement timeout)
  with its execution, state and due time. On start each is started again under its own name and
  waits only what is left; one that fell due while the platform was down runs at once.
- Invocations in flight: bus deliveries queued or running when the platform stopped run again on
  start (every subscriber is idempotent, as with EventBridge's at-least-once delivery).

A hard kill loses at most the last flush interval of writes. One platform at a time per folder.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

log = logging.getLogger("klaxon.local")
FORMAT = 1
FLUSH_SECONDS = 0.25
COMPACT_BYTES = 64 * 1024 * 1024  # rewrite the journal from the live tables past this size


class StateError(Exception):
    """The data folder cannot be used: another platform holds it, or it was written by another format."""


@dataclass
class Restored:
    """What a start found in the data folder."""

    items: int = 0
    objects: int = 0
    incidents: int = 0
    timers: list[dict[str, Any]] = field(default_factory=list)
    invocations: list[dict[str, Any]] = field(default_factory=list)


def _key_id(table: str, key: dict[str, Any]) -> str:
    return json.dumps([table, key], sort_keys=True, separators=(",", ":"))


def _replace(path: Path, write: Callable[[TextIO], None]) -> None:
    """Write a file whole or not at all (a crash mid-write leaves the old one)."""
    partial = path.with_suffix(path.suffix + ".partial")
    with partial.open("w") as out:
        write(out)
        out.flush()
        os.fsync(out.fileno())
    partial.replace(path)


def _lines(path: Path) -> Iterator[dict[str, Any]]:
    if not path.exists():
        return
    with path.open() as journal:
        for line in journal:
            try:
                yield json.loads(line)
            except json.JSONDecodeError:  # the last line of a hard kill may be cut short
                log.warning("ignoring a cut-short line in %s", path)


class LocalState:
    """Owns DIR: `restore()` at start (tables and buckets exist), `start()` the flusher, `close()` at stop."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._items = folder / "dynamodb.jsonl"
        self._objects = folder / "s3.jsonl"
        self._bodies = folder / "s3"
        self._timers_file = folder / "timers.json"
        self._pending_file = folder / "invocations.json"
        self._dirty_items: dict[str, tuple[str, dict[str, Any]]] = {}
        self._dirty_objects: set[tuple[str, str]] = set()
        self._timers: dict[str, dict[str, Any]] = {}
        self._timers_changed = False
        self._dirty_lock = threading.Lock()
        self._timers_write = threading.Lock()  # the flusher and the stop both write timers.json
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock_file: TextIO | None = None
        self._tracking_timers = True

    # --- opening -------------------------------------------------------------------------------

    def open(self) -> None:
        """Take the folder (refused while another platform holds it) and check its format."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self._lock_file = (self.folder / "lock").open("a+")
        try:
            fcntl.flock(self._lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise StateError(f"another `klaxon up` is using {self.folder}; stop it or pick --data") from exc
        meta = self.folder / "state.json"
        if meta.exists():
            found = json.loads(meta.read_text()).get("format")
            if found != FORMAT:
                raise StateError(
                    f"{self.folder} holds state of format {found}, this Klaxon reads format {FORMAT}: "
                    "move it away or run with --ephemeral"
                )
        _replace(meta, lambda out: json.dump({"format": FORMAT}, out))

    # --- restoring -----------------------------------------------------------------------------

    def restore(self) -> Restored:
        """Put the kept items and objects back, compact the journals, and say what is to resume."""
        restored = Restored()
        items: dict[str, tuple[str, dict[str, Any] | None]] = {}
        for line in _lines(self._items):
            items[_key_id(line["table"], line["key"])] = (line["table"], line.get("item"))
        backend = _dynamodb()
        for table, item in items.values():
            if item is not None and table in backend.tables:
                backend.put_item(table, item)
                restored.items += 1
                restored.incidents += table.endswith("incidents") and "number" in item
        self._compact_items()
        restored.objects = self._restore_objects()
        if self._timers_file.exists():
            restored.timers = list(json.loads(self._timers_file.read_text()).values())
        if self._pending_file.exists():
            restored.invocations = json.loads(self._pending_file.read_text())
            self._pending_file.unlink()
        self._timers = {}
        self._write_timers()
        return restored

    def _restore_objects(self) -> int:
        objects: dict[tuple[str, str], dict[str, Any]] = {}
        for line in _lines(self._objects):
            objects[(line["bucket"], line["key"])] = line
        from klaxon.adapters.aws import client

        s3, count = client("s3"), 0
        for (bucket, key), line in objects.items():
            body = self._bodies / line["file"] if line.get("file") else None
            if body is None or not body.exists():
                continue
            s3.put_object(Bucket=bucket, Key=key, Body=body.read_bytes(), ContentType=line["content_type"])
            count += 1
        return count

    def _compact_items(self) -> None:
        """Rewrite the journal as one line per live item (what replaying it gives)."""
        backend = _dynamodb()

        def write(out: TextIO) -> None:
            for name, table in list(backend.tables.items()):
                for item in table.all_items():
                    attrs = item.to_json()["Attributes"]
                    key = {n: attrs[n] for n in (table.hash_key_attr, table.range_key_attr) if n in attrs}
                    out.write(json.dumps({"table": name, "key": key, "item": attrs}) + "\n")

        from klaxon.local.emulation import ddb_lock

        with ddb_lock():
            _replace(self._items, write)

    # --- observing -----------------------------------------------------------------------------

    def on_write(self, service: str, container: str, key: Any) -> None:
        """From the emulation, under its DynamoDB lock: remember what to write at the next flush."""
        with self._dirty_lock:
            if service == "dynamodb":
                self._dirty_items[_key_id(container, key)] = (container, key)
            else:
                self._dirty_objects.add((container, key))

    def on_wait(self, started: bool, wait: dict[str, Any]) -> None:
        """From the emulation: a Step Functions wait began (keep it, with its due time) or ended."""
        if not self._tracking_timers:
            return  # stopping: the executions being stopped are the ones we just kept
        with self._dirty_lock:
            if started:
                scale = wait["time_scale"] or 1.0
                self._timers[wait["execution"]] = {**wait, "due_at": time.time() + wait["seconds"] / scale}
            else:
                self._timers.pop(wait["execution"], None)
            self._timers_changed = True

    # --- flushing ------------------------------------------------------------------------------

    def start(self) -> LocalState:
        self._thread = threading.Thread(target=self._run, name="klaxon-state", daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(FLUSH_SECONDS):
            try:
                self.flush()
            except Exception:  # keep flushing: one bad write must not end persistence for the session
                log.exception("could not write local state to %s", self.folder)

    def flush(self) -> None:
        with self._dirty_lock:
            items, self._dirty_items = self._dirty_items, {}
            objects, self._dirty_objects = self._dirty_objects, set()
            timers_changed, self._timers_changed = self._timers_changed, False
        if items:
            self._flush_items(list(items.values()))
        if objects:
            self._flush_objects(objects)
        if timers_changed:
            self._write_timers()
        if self._items.exists() and self._items.stat().st_size > COMPACT_BYTES:
            self._compact_items()

    def _flush_items(self, touched: list[tuple[str, dict[str, Any]]]) -> None:
        from klaxon.local.emulation import ddb_lock

        backend = _dynamodb()
        lines = []
        with ddb_lock():
            for table_name, key in touched:
                table = backend.tables.get(table_name)
                if table is None:
                    continue
                hash_key, range_key = backend.get_keys_value(table, key)
                item = table.get_item(hash_key, range_key)
                attrs = item.to_json()["Attributes"] if item is not None else None
                lines.append(json.dumps({"table": table_name, "key": key, "item": attrs}))
        with self._items.open("a") as journal:
            journal.write("\n".join(lines) + "\n")

    def _flush_objects(self, touched: set[tuple[str, str]]) -> None:
        backend = _s3()
        self._bodies.mkdir(exist_ok=True)
        lines = []
        for bucket, key in sorted(touched):
            name = hashlib.sha256(f"{bucket}/{key}".encode()).hexdigest()
            try:
                found = backend.get_object(bucket, key)
            except Exception:  # the bucket or key is gone
                found = None
            if found is None:
                (self._bodies / name).unlink(missing_ok=True)
                lines.append(json.dumps({"bucket": bucket, "key": key, "file": None}))
                continue
            (self._bodies / name).write_bytes(found.value)
            kind = found.metadata.get("Content-Type") or "application/octet-stream"
            lines.append(json.dumps({"bucket": bucket, "key": key, "file": name, "content_type": kind}))
        with self._objects.open("a") as journal:
            journal.write("\n".join(lines) + "\n")

    def _write_timers(self) -> None:
        with self._timers_write:  # one writer at a time, each with the latest timers
            with self._dirty_lock:
                timers = dict(self._timers)
            _replace(self._timers_file, lambda out: json.dump(timers, out, default=str))

    # --- closing -------------------------------------------------------------------------------

    def keep_timers(self) -> None:
        """Freeze the pending timers as they are now: the stop that follows ends their executions."""
        self._tracking_timers = False
        self._write_timers()

    def keep_invocations(self, pending: list[dict[str, Any]]) -> None:
        _replace(self._pending_file, lambda out: json.dump(pending, out))

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.flush()
        if self._lock_file is not None:
            fcntl.flock(self._lock_file, fcntl.LOCK_UN)
            self._lock_file.close()
            self._lock_file = None


def _dynamodb() -> Any:
    from moto.dynamodb.models import dynamodb_backends

    from klaxon.local.emulation import ACCOUNT, REGION

    return dynamodb_backends[ACCOUNT][REGION]


def _s3() -> Any:
    from moto.s3.models import s3_backends

    from klaxon.local.emulation import ACCOUNT

    return s3_backends[ACCOUNT]["global"]
