"""Fixtures: the bundled local model, and a real OpenAI-compatible server on loopback."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest

from nlg.llm import LlamaCppClient, default_model_path, llama_cpp_build_works

# One thread each: the machine's cores are shared (speech recognition, other test runs).
THREADS = 1


@pytest.fixture(scope="session")
def model_path() -> str:
    pytest.importorskip("llama_cpp")
    path = default_model_path()
    works, detail = llama_cpp_build_works(path)
    if not works:  # a native crash would take the whole test run down with it
        pytest.skip(detail)
    return path


@pytest.fixture()
def local_llm(model_path: str) -> LlamaCppClient:
    # The model itself is loaded once per process and shared; clients are cheap.
    llm = LlamaCppClient(model_path, n_ctx=1024, n_threads=THREADS, timeout=60)
    llm.load()
    return llm


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def llama_server(model_path: str) -> Iterator[str]:
    """``python -m llama_cpp.server`` with the bundled model; yields its ``/v1`` base URL."""
    pytest.importorskip("llama_cpp.server")
    port = _free_port()
    cmd = [
        sys.executable,
        "-m",
        "llama_cpp.server",
        "--model",
        model_path,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--n_ctx",
        "1024",
        "--n_threads",
        str(THREADS),
        "--verbose",
        "False",
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base_url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
                pytest.fail(f"llama_cpp.server exited with {proc.returncode}: {err[-2000:]}")
            try:
                if httpx.get(f"{base_url}/models", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("llama_cpp.server did not start within 60 s")
            time.sleep(0.2)
        yield base_url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        if proc.stderr:
            proc.stderr.close()
