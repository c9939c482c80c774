"""requests downloads with stream=True that return early or never read the body."""

import requests


def fetch_release_notes(url):
    resp = requests.get(url, stream=True, timeout=10)
    if resp.status_code != 200:
        return None  # expect: BUF009
    return resp.text


class Mirror:
    def __init__(self):
        self.session = requests.Session()

    def remote_size(self, url):
        resp = self.session.get(url, stream=True)  # expect: BUF009
        return int(resp.headers["Content-Length"])
