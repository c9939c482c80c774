"""requests responses whose body is read, closed in finally, or not streamed at all."""

import requests


class Mirror:
    def __init__(self):
        self.session = requests.Session()

    def remote_size(self, url):
        resp = self.session.get(url, stream=True)
        try:
            return int(resp.headers["Content-Length"])
        finally:
            resp.close()

    def manifest(self, url):
        resp = self.session.get(url, stream=True)
        if resp.status_code != 200:
            resp.close()
            return None
        return resp.json()


def fetch_bytes(url):
    resp = requests.get(url, stream=True)
    data = resp.content
    if not data:
        return None
    return data


def plain_get(url):
    resp = requests.get(url, timeout=5)
    if resp.status_code != 200:
        return None
    return resp.json()


def save_all(url, path):
    resp = requests.get(url, stream=True)
    with open(path, "wb") as fh:
        for chunk in resp.iter_content(chunk_size=8192):
            fh.write(chunk)
    return path


def open_download(url):
    resp = requests.get(url, stream=True)
    resp.raise_for_status()
    return resp
