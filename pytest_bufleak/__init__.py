"""bufleak's runtime: Netty-style reference-counted buffers, leak detection and a channel pipeline."""
from .buffer.allocator import ByteBufAllocator
from .buffer.bytebuf import ByteBuf
from .buffer.refcount import IllegalReferenceCountException, ReferenceCounted, ReferenceCountUtil
from .buffer.unpooled import Unpooled, UnpooledByteBufAllocator
from .buffer.util import ByteBufUtil

__all__ = [
    "ByteBuf",
    "ByteBufAllocator",
    "ByteBufUtil",
    "IllegalReferenceCountException",
    "ReferenceCountUtil",
    "ReferenceCounted",
    "Unpooled",
    "UnpooledByteBufAllocator",
]
