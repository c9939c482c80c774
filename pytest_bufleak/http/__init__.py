"""HTTP/1.1 on the pipeline: Netty's codec (messages, headers, decoders, encoders, aggregator), sans-I/O."""
from .aggregator import HttpObjectAggregator
from .codec import HttpClientCodec, HttpServerCodec
from .decoder import HttpObjectDecoder, HttpRequestDecoder, HttpResponseDecoder
from .encoder import HttpObjectEncoder, HttpRequestEncoder, HttpResponseEncoder
from .errors import (
    HttpExpectationFailedEvent,
    InvalidChunkExtensionException,
    InvalidChunkTerminationException,
    InvalidLineSeparatorException,
    PrematureChannelClosureException,
    TooLongHttpContentException,
    TooLongHttpHeaderException,
    TooLongHttpLineException,
)
from .headers import HttpHeaderNames, HttpHeaders, HttpHeaderValues
from .messages import (
    DefaultFullHttpRequest,
    DefaultFullHttpResponse,
    DefaultHttpContent,
    DefaultHttpRequest,
    DefaultHttpResponse,
    DefaultLastHttpContent,
    FullHttpMessage,
    FullHttpRequest,
    FullHttpResponse,
    HttpContent,
    HttpMessage,
    HttpObject,
    HttpRequest,
    HttpResponse,
    LastHttpContent,
)
from .keepalive import HttpServerKeepAliveHandler
from .names import HttpMethod, HttpResponseStatus, HttpVersion
from .util import HttpUtil

__all__ = [
    "HttpServerKeepAliveHandler",
    "HttpResponseEncoder",
    "HttpRequestEncoder",
    "HttpObjectEncoder",
    "HttpResponseDecoder",
    "HttpRequestDecoder",
    "HttpObjectDecoder",
    "HttpServerCodec",
    "HttpClientCodec",
    "HttpObjectAggregator",
    "DefaultFullHttpRequest",
    "DefaultFullHttpResponse",
    "DefaultHttpContent",
    "DefaultHttpRequest",
    "DefaultHttpResponse",
    "DefaultLastHttpContent",
    "FullHttpMessage",
    "FullHttpRequest",
    "FullHttpResponse",
    "HttpContent",
    "HttpExpectationFailedEvent",
    "HttpHeaderNames",
    "HttpHeaderValues",
    "HttpHeaders",
    "HttpMessage",
    "HttpMethod",
    "HttpObject",
    "HttpRequest",
    "HttpResponse",
    "HttpResponseStatus",
    "HttpUtil",
    "HttpVersion",
    "InvalidChunkExtensionException",
    "InvalidChunkTerminationException",
    "InvalidLineSeparatorException",
    "LastHttpContent",
    "PrematureChannelClosureException",
    "TooLongHttpContentException",
    "TooLongHttpHeaderException",
    "TooLongHttpLineException",
]

# The client (issue 14): HttpClient, its specs and responses, the pool's figures and the client's errors.
from .client import HttpClient  # noqa: E402
from .errors_client import (  # noqa: E402
    ConnectTimeoutException,
    HttpClientException,
    HttpClientResponseException,
    HttpProtocolException,
    PoolAcquireTimeoutException,
    PrematureCloseException,
    ResponseTimeoutException,
)
from .pool import PoolMetric  # noqa: E402
from .response import BodyFlux, ClientResponse, ResponseEntity  # noqa: E402
from .spec import RequestSpec, ResponseSpec  # noqa: E402

__all__ += [
    "BodyFlux",
    "ClientResponse",
    "ConnectTimeoutException",
    "HttpClient",
    "HttpClientException",
    "HttpClientResponseException",
    "HttpProtocolException",
    "PoolAcquireTimeoutException",
    "PoolMetric",
    "PrematureCloseException",
    "RequestSpec",
    "ResponseEntity",
    "ResponseSpec",
    "ResponseTimeoutException",
]
