"""Token, currency and key exchanges named exchange() beside an HTTP client: none is a WebClient exchange."""

from pytest_bufleak.http import HttpClient


class OAuthFlow:
    def __init__(self, oauth_client, http: HttpClient):
        self.oauth_client = oauth_client
        self.http = http

    async def login(self, code):
        token = await self.oauth_client.exchange(code)
        profile = await self.http.get("/me").header("authorization", token).retrieve().body_to_str()
        return token, profile


async def convert(crypto_client, amount):
    return await crypto_client.exchange("BTC", "EUR", amount)


def agree(webauthn, peer_key, http_client):
    shared = webauthn.exchange(peer_key)
    http_client.exchange(shared)
    return shared


async def swap(web_client, order):
    return await web_client.exchange(order.base, order.quote)
