"""Code on bufleak's HttpClient using retrieve() and exchange_to(), which release the body themselves."""

from pytest_bufleak.http import HttpClient


async def fetch(client: HttpClient, url):
    return await client.get(url).retrieve().body_to_bytes()


async def status_of(client: HttpClient, url):
    entity = await client.head(url).retrieve().to_bodiless_entity()
    return entity.status


async def status_only(client: HttpClient, url):
    return await client.delete(url).exchange_to(lambda resp: resp.status)


async def main():
    async with HttpClient.create(base_url="http://127.0.0.1:8080") as client:
        spec = client.post("/events").header("content-type", "application/json")
        return await spec.body_value(b"{}").retrieve().body_to_str()
