"""A WebClient-style chain ported from Spring, next to token and currency exchanges that are fine."""


async def order_status(web_client, order_id, oauth, rates):
    token = await oauth.exchange(code=order_id)
    eur = rates.exchange("USD", "EUR", 10)
    response = await web_client.get().uri(f"/orders/{order_id}").header("authorization", token).exchange()  # expect: BUF003
    return response.status_code, eur
