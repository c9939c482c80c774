"""requests streaming downloads managed by a with block."""

from contextlib import closing

import requests


def fetch_release_notes(url):
    with requests.get(url, stream=True, timeout=10) as resp:
        if resp.status_code != 200:
            return None
        return resp.text


def save(session: requests.Session, url, path, max_bytes):
    total = 0
    with session.get(url, stream=True) as resp, open(path, "wb") as fh:
        for chunk in resp.iter_content(chunk_size=65536):
            total += len(chunk)
            if total > max_bytes:
                raise ValueError(url)
            fh.write(chunk)
    return total


def first_line(url):
    with closing(requests.get(url, stream=True)) as resp:
        for line in resp.iter_lines():
            return line
    return None
