"""A service module with an aiohttp session and a SQLAlchemy session: only the HTTP one makes responses."""

import aiohttp
from sqlalchemy.ext.asyncio import AsyncSession


async def fetch_avatar(url):
    async with aiohttp.ClientSession() as session:
        async with session.get(url) as resp:
            return await resp.read()


async def load_user(session: AsyncSession, user_model, user_id):
    user = await session.get(user_model, user_id)
    if user is None:
        return None
    return user.name
