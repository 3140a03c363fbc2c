"""A real MCP client (the `mcp` package from PyPI) against `rehearse serve`.

Usage: mcp_client.py http URL CALLS.json   |   mcp_client.py stdio CALLS.json -- COMMAND ARGS...

Lists the tools, then makes every call of CALLS.json ([{"tool": ..., "arguments": {...}}, ...])
and prints one JSON object: the tools with their input schemas, and per call whether it was an
error and the text and structured content it returned. Used by the Swift tests; needs
`pip install mcp`.
"""
import asyncio
import json
import sys

from mcp import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp.types import Implementation

try:  # mcp 2.x
    from mcp.client.streamable_http import streamable_http_client
    from mcp.shared._httpx_utils import create_mcp_http_client

    def http_transport(url, headers):
        return streamable_http_client(url, http_client=create_mcp_http_client(headers=headers))
except ImportError:  # mcp 1.x
    from mcp.client.streamable_http import streamablehttp_client

    def http_transport(url, headers):
        return streamablehttp_client(url, headers=headers)


def field(obj, snake, camel):
    """mcp 2.x names fields in snake_case, 1.x in camelCase."""
    return getattr(obj, snake) if hasattr(obj, snake) else getattr(obj, camel, None)


async def exercise(session, calls):
    await session.initialize()
    listed = await session.list_tools()
    results = []
    for call in calls:
        result = await session.call_tool(call["tool"], call.get("arguments", {}))
        results.append({
            "tool": call["tool"],
            "is_error": bool(field(result, "is_error", "isError")),
            "text": "".join(part.text for part in result.content if getattr(part, "type", "") == "text"),
            "structured": field(result, "structured_content", "structuredContent"),
        })
    return {
        "tools": [{"name": tool.name, "description": tool.description, "input_schema": field(tool, "input_schema", "inputSchema")} for tool in listed.tools],
        "calls": results,
    }


async def main():
    mode = sys.argv[1]
    info = Implementation(name="triage-bot", version="1.0")
    if mode == "http":
        url, calls = sys.argv[2], json.load(open(sys.argv[3]))
        headers = json.loads(sys.argv[4]) if len(sys.argv) > 4 else None
        async with http_transport(url, headers) as streams:
            read, write = streams[0], streams[1]
            async with ClientSession(read, write, client_info=info) as session:
                output = await exercise(session, calls)
    else:
        calls = json.load(open(sys.argv[2]))
        command = sys.argv[sys.argv.index("--") + 1:]
        params = StdioServerParameters(command=command[0], args=command[1:])
        async with stdio_client(params) as (read, write):
            async with ClientSession(read, write, client_info=info) as session:
                output = await exercise(session, calls)
    print(json.dumps(output))


asyncio.run(main())
