"""requests streaming loops that give up in the middle of the body."""

import requests


class TooLarge(Exception):
    pass


def save(url, path, max_bytes):
    resp = requests.get(url, stream=True)
    total = 0
    with open(path, "wb") as fh:
        for chunk in resp.iter_content(chunk_size=65536):
            total += len(chunk)
            if total > max_bytes:
                raise TooLarge(url)  # expect: BUF009
            fh.write(chunk)
    return total


def first_record(session: requests.Session, url):
    resp = session.post(url, json={"query": "*"}, stream=True)
    for line in resp.iter_lines():
        if line:
            return line  # expect: BUF009
    return None
